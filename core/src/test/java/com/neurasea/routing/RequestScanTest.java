package com.neurasea.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the gateway reads from a request body, and the body it sends upstream. */
class RequestScanTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static RequestScan scan(String body) {
    return RequestScan.of(utf8(body));
  }

  private static OpenAiErrors.GatewayError refused(String body) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> scan(body));
    assertThat(thrown).as(body).isInstanceOf(GatewayFailure.class);
    OpenAiErrors.GatewayError error = ((GatewayFailure) thrown).error;
    assertThat(error.status()).as(body).isEqualTo(400);
    assertThat(error.type()).isEqualTo("invalid_request_error");
    return error;
  }

  private static JsonNode tree(byte[] json) throws Exception {
    return JSON.readTree(json);
  }

  // ------------------------------------------------------------------ extraction

  @Test
  void readsEveryFieldTheGatewayNeeds() {
    RequestScan s = scan("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"model\":\"gpt-4o\","
        + "\"stream\":true,\"max_tokens\":100,\"n\":3,\"stream_options\":{\"include_usage\":true},\"x\":{\"y\":[1]}}");
    assertThat(s.model).isEqualTo("gpt-4o");
    assertThat(s.stream).isTrue();
    assertThat(s.maxTokens).isEqualTo(100);
    assertThat(s.n).isEqualTo(3);
    assertThat(s.hasStreamOptions).isTrue();
    assertThat(s.includeUsage).isTrue();
  }

  @Test
  void defaultsWhenOptionalFieldsAreAbsentOrNull() {
    RequestScan s = scan("{\"model\":\"m\"}");
    assertThat(s.stream).isFalse();
    assertThat(s.maxTokens).isEqualTo(-1);
    assertThat(s.n).isEqualTo(1);
    assertThat(s.hasStreamOptions).isFalse();
    assertThat(s.includeUsage).isFalse();
    RequestScan nulls = scan("{\"model\":\"m\",\"stream\":null,\"max_tokens\":null,\"n\":null,"
        + "\"stream_options\":null}");
    assertThat(nulls.stream).isFalse();
    assertThat(nulls.maxTokens).isEqualTo(-1);
    assertThat(nulls.n).isEqualTo(1);
    // present (as null): a stream request gets it replaced, never a second member beside it
    assertThat(nulls.hasStreamOptions).isTrue();
  }

  @Test
  void maxCompletionTokensCountsAsTheOutputLimit() {
    assertThat(scan("{\"model\":\"o3\",\"max_completion_tokens\":2048}").maxTokens).isEqualTo(2048);
  }

  @Test
  void streamOptionsWithoutIncludeUsageIsNotedButAsksForNothing() {
    RequestScan s = scan("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"other\":{\"a\":[1,2]},"
        + "\"include_usage\":false}}");
    assertThat(s.hasStreamOptions).isTrue();
    assertThat(s.includeUsage).isFalse();
  }

  @Test
  void aModelFieldInsideANestedObjectIsNotTheModel() {
    RequestScan s = scan("{\"metadata\":{\"model\":\"nested\"},\"tools\":[{\"model\":\"x\"}],\"model\":\"real\"}");
    assertThat(s.model).isEqualTo("real");
  }

  @Test
  void escapedAndUnicodeModelNamesAreDecoded() {
    assertThat(scan("{\"model\":\"a\\\"b\"}").model).isEqualTo("a\"b");
    assertThat(scan("{\"model\":\"\\u0041BC\"}").model).isEqualTo("ABC");
    assertThat(scan("{\"model\":\"модель-é\"}").model).isEqualTo("модель-é");
  }

  // ------------------------------------------------------------------ refusals

  @Test
  void aBodyThatIsNotAnObjectIsRefused() {
    for (String body : new String[] {"[]", "\"model\"", "42", "", "   ", "null"}) {
      assertThat(refused(body).param()).as(body).isNull();
    }
  }

  @Test
  void trailingContentIsRefused() {
    assertThat(refused("{\"model\":\"m\"}{}").param()).isNull();
    assertThat(refused("{\"model\":\"m\"} 1").param()).isNull();
    assertThat(refused("{\"model\":\"m\"} x").param()).isNull();
  }

  @Test
  void malformedJsonIsRefused() {
    for (String body : new String[] {"{\"model\":", "{\"model\":\"m\"", "{model:\"m\"}", "{\"model\":\"m\",}",
        "{\"model\":\"m\" \"n\":1}", "{\"messages\":[1,2}"}) {
      OpenAiErrors.GatewayError error = refused(body);
      assertThat(error.param()).as(body).isNull();
    }
  }

  @Test
  void aMissingOrNonStringModelIsRefusedNamingModel() {
    assertThat(refused("{}").param()).isEqualTo("model");
    assertThat(refused("{\"messages\":[]}").param()).isEqualTo("model");
    assertThat(refused("{\"model\":1}").param()).isEqualTo("model");
    assertThat(refused("{\"model\":null}").param()).isEqualTo("model");
    assertThat(refused("{\"model\":[\"m\"]}").param()).isEqualTo("model");
    assertThat(refused("{\"model\":{\"name\":\"m\"}}").param()).isEqualTo("model");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"true\"", "1", "0", "{}", "[]"})
  void aNonBooleanStreamIsRefused(String value) {
    assertThat(refused("{\"model\":\"m\",\"stream\":" + value + "}").param()).isEqualTo("stream");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"x\"", "true", "[]", "1"})
  void nonObjectStreamOptionsAreRefused(String value) {
    assertThat(refused("{\"model\":\"m\",\"stream_options\":" + value + "}").param()).isEqualTo("stream_options");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "max_tokens|0", "max_tokens|-1", "max_tokens|10000001", "max_tokens|1.5", "max_tokens|\"100\"",
      "max_tokens|true", "max_tokens|[]",
      "max_completion_tokens|0", "max_completion_tokens|10000001", "max_completion_tokens|2.0",
      "max_completion_tokens|\"1\""})
  void badOutputLimitsAreRefusedNamingTheField(String field, String value) {
    assertThat(refused("{\"model\":\"m\",\"" + field + "\":" + value + "}").param()).isEqualTo(field);
  }

  @Test
  void theOutputLimitBoundsAreAccepted() {
    assertThat(scan("{\"model\":\"m\",\"max_tokens\":1}").maxTokens).isEqualTo(1);
    assertThat(scan("{\"model\":\"m\",\"max_tokens\":10000000}").maxTokens).isEqualTo(10_000_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "129", "1.0", "\"2\"", "true", "{}"})
  void aBadNIsRefused(String value) {
    assertThat(refused("{\"model\":\"m\",\"n\":" + value + "}").param()).isEqualTo("n");
  }

  @Test
  void theNBoundsAreAccepted() {
    assertThat(scan("{\"model\":\"m\",\"n\":1}").n).isEqualTo(1);
    assertThat(scan("{\"model\":\"m\",\"n\":128}").n).isEqualTo(128);
  }

  @Test
  void integersBeyondTheJavaRangeAreRefusedNamingTheField() {
    assertThat(refused("{\"model\":\"m\",\"n\":99999999999}").param()).isEqualTo("n");
    assertThat(refused("{\"model\":\"m\",\"max_tokens\":99999999999999999999}").param()).isEqualTo("max_tokens");
  }

  @Test
  void aNonScalarIncludeUsageIsRefusedNamingStreamOptions() {
    OpenAiErrors.GatewayError error = refused("{\"model\":\"m\",\"stream_options\":{\"include_usage\":{\"a\":1}},"
        + "\"stream\":true}");
    assertThat(error.param()).isEqualTo("stream_options");
  }

  // ------------------------------------------------------------------ the body sent upstream

  @Test
  void withNothingToChangeTheSameArrayGoesUpstream() {
    byte[] body = utf8("{\"model\":\"m\",\"messages\":[]}");
    RequestScan s = RequestScan.of(body);
    assertThat(s.forUpstream("m", true)).isSameAs(body);
    // a channel that names the model otherwise but does not take the name from the body (Azure)
    assertThat(s.forUpstream("deployment-1", false)).isSameAs(body);
    byte[] asked = utf8("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    assertThat(RequestScan.of(asked).forUpstream("m", true)).isSameAs(asked);
  }

  @Test
  void aRenameSplicesTheNewNameInAndLeavesEveryOtherByteAlone() throws Exception {
    String before = "{ \"messages\" : [ {\"role\":\"user\","
        + "\"content\":\"say \\\"model\\\": \\\"x\\\" — ünïcødé 🙂\"}],\n"
        + "  \"temperature\":0.50, ";
    String after = " , \"x_vendor\":{\"model\":\"keep\"}, \"tail\":1e3 }";
    String oldModel = "\"a\\\"b\"";
    byte[] body = utf8(before + "\"model\" :  " + oldModel + after);
    RequestScan s = RequestScan.of(body);
    assertThat(s.model).isEqualTo("a\"b");
    String upstream = "prov/ünï\"cødé\\🙂";
    byte[] out = s.forUpstream(upstream, true);
    byte[] expected = concat(utf8(before + "\"model\" :  "), JSON.writeValueAsBytes(upstream), utf8(after));
    assertThat(out).isEqualTo(expected);
    JsonNode sent = tree(out);
    JsonNode original = tree(body);
    ((com.fasterxml.jackson.databind.node.ObjectNode) original).put("model", upstream);
    assertThat(sent).isEqualTo(original);
    assertThat(sent.path("model").asText()).isEqualTo(upstream);
  }

  @Test
  void aRenameOfAUnicodeNameCountsBytesNotChars() throws Exception {
    byte[] body = utf8("{\"messages\":[{\"content\":\"日本語\"}],\"model\":\"モデル\",\"n\":2}");
    RequestScan s = RequestScan.of(body);
    byte[] out = s.forUpstream("m", true);
    assertThat(new String(out, StandardCharsets.UTF_8))
        .isEqualTo("{\"messages\":[{\"content\":\"日本語\"}],\"model\":\"m\",\"n\":2}");
    byte[] longer = s.forUpstream("a-much-longer-model-name", true);
    assertThat(tree(longer).path("model").asText()).isEqualTo("a-much-longer-model-name");
    assertThat(tree(longer).path("n").asInt()).isEqualTo(2);
  }

  @Test
  void aStreamWithoutStreamOptionsGetsIncludeUsageInserted() throws Exception {
    byte[] body = utf8("  {\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    byte[] out = RequestScan.of(body).forUpstream("m", true);
    assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo("  {\"stream_options\":{\"include_usage\":true},"
        + "\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    JsonNode expected = tree(body);
    ((com.fasterxml.jackson.databind.node.ObjectNode) expected).putObject("stream_options").put("include_usage", true);
    assertThat(tree(out)).isEqualTo(expected);
  }

  @Test
  void aStreamGetsIncludeUsageAndTheRenameTogether() throws Exception {
    byte[] body = utf8("{\"stream\":true,\"model\":\"alias\\u002fx\",\"max_tokens\":5}");
    RequestScan s = RequestScan.of(body);
    assertThat(s.model).isEqualTo("alias/x");
    byte[] out = s.forUpstream("real-model", true);
    assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(
        "{\"stream_options\":{\"include_usage\":true},\"stream\":true,\"model\":\"real-model\",\"max_tokens\":5}");
  }

  @Test
  void existingStreamOptionsWithoutIncludeUsageAreRewrittenWithBothChanges() throws Exception {
    byte[] body = utf8("{\"model\":\"alias\",\"stream\":true,\"stream_options\":{\"chunk\":{\"size\":3},"
        + "\"include_usage\":false},\"messages\":[{\"role\":\"user\",\"content\":\"é\"}]}");
    byte[] out = RequestScan.of(body).forUpstream("real", true);
    JsonNode sent = tree(out);
    assertThat(sent.path("model").asText()).isEqualTo("real");
    assertThat(sent.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(sent.path("stream_options").path("chunk").path("size").asInt()).isEqualTo(3);
    JsonNode expected = tree(body);
    ((com.fasterxml.jackson.databind.node.ObjectNode) expected).put("model", "real");
    ((com.fasterxml.jackson.databind.node.ObjectNode) expected.get("stream_options")).put("include_usage", true);
    assertThat(sent).isEqualTo(expected);
    // without a rename (Azure, or the same name) the model stays as it was
    JsonNode kept = tree(RequestScan.of(body).forUpstream("real", false));
    assertThat(kept.path("model").asText()).isEqualTo("alias");
    assertThat(kept.path("stream_options").path("include_usage").asBoolean()).isTrue();
  }

  @Test
  void whenTheClientAskedForUsageNothingIsInserted() throws Exception {
    byte[] body = utf8("{\"model\":\"a\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    byte[] out = RequestScan.of(body).forUpstream("b", true);
    assertThat(new String(out, StandardCharsets.UTF_8))
        .isEqualTo("{\"model\":\"b\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
  }

  @Test
  void aRequestThatIsNotAStreamGetsNoStreamOptions() throws Exception {
    byte[] body = utf8("{\"model\":\"a\",\"stream\":false}");
    byte[] out = RequestScan.of(body).forUpstream("b", true);
    assertThat(tree(out).has("stream_options")).isFalse();
    assertThat(tree(out).path("model").asText()).isEqualTo("b");
  }

  @Test
  void aNullStreamOptionsIsReplacedNotDuplicated() throws Exception {
    byte[] body = utf8("{\"model\":\"m\",\"stream\":true,\"stream_options\":null}");
    byte[] out = RequestScan.of(body).forUpstream("m", true);
    assertThat(tree(out).path("stream_options").path("include_usage").asBoolean()).isTrue();
  }

  @Test
  void duplicateModelMembersAreRefused() {
    assertThat(refused("{\"model\":\"cheap\",\"model\":\"expensive\"}").param()).isEqualTo("model");
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  @Test
  void theScanKeepsTheBodyItWasGiven() {
    byte[] body = utf8("{\"model\":\"m\"}");
    assertThat(RequestScan.of(body).body).isSameAs(body);
    assertThatThrownBy(() -> RequestScan.of(utf8("{\"model\":\"m\",\"n\":0}"))).isInstanceOf(GatewayFailure.class);
  }
}
