package com.neurasea.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The usage, errors and delivered text read from upstream replies and stream chunks. */
class ReplyUsageTest {
  private static ReplyUsage read(String json, StringBuilder text) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return ReplyUsage.read(bytes, 0, bytes.length, text);
  }

  private static ReplyUsage read(String json) throws IOException {
    return read(json, null);
  }

  @Test
  void readsPromptCompletionAndCachedTokensWithCachedTakenOutOfThePrompt() throws IOException {
    ReplyUsage u = read("{\"id\":\"x\",\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{"
        + "\"prompt_tokens\":100,\"completion_tokens\":50,\"total_tokens\":150,"
        + "\"prompt_tokens_details\":{\"audio_tokens\":0,\"cached_tokens\":30},"
        + "\"completion_tokens_details\":{\"reasoning_tokens\":10}}}");
    assertThat(u.known()).isTrue();
    assertThat(u.promptTokens).isEqualTo(70);
    assertThat(u.completionTokens).isEqualTo(50);
    assertThat(u.cachedTokens).isEqualTo(30);
    assertThat(u.error).isFalse();
  }

  @Test
  void theOrderOfTheUsageFieldsDoesNotMatter() throws IOException {
    ReplyUsage u = read("{\"usage\":{\"prompt_tokens_details\":{\"cached_tokens\":5},\"completion_tokens\":7,"
        + "\"prompt_tokens\":12}}");
    assertThat(u.promptTokens).isEqualTo(7);
    assertThat(u.cachedTokens).isEqualTo(5);
    assertThat(u.completionTokens).isEqualTo(7);
  }

  @Test
  void cachedTokensNeverExceedThePrompt() throws IOException {
    ReplyUsage u = read("{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":1,"
        + "\"prompt_tokens_details\":{\"cached_tokens\":25}}}");
    assertThat(u.cachedTokens).isEqualTo(10);
    assertThat(u.promptTokens).isZero();
  }

  @Test
  void negativeOrNonIntegerCountsReadAsZero() throws IOException {
    ReplyUsage u = read("{\"usage\":{\"prompt_tokens\":-5,\"completion_tokens\":\"7\","
        + "\"prompt_tokens_details\":{\"cached_tokens\":1.5}}}");
    assertThat(u.known()).isTrue();
    assertThat(u.promptTokens).isZero();
    assertThat(u.completionTokens).isZero();
    assertThat(u.cachedTokens).isZero();
    ReplyUsage nulls = read("{\"usage\":{\"prompt_tokens\":null,\"completion_tokens\":null,"
        + "\"prompt_tokens_details\":null}}");
    assertThat(nulls.promptTokens).isZero();
    assertThat(nulls.completionTokens).isZero();
  }

  @Test
  void withoutAUsageObjectTheUsageIsUnknown() throws IOException {
    assertThat(read("{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}").known()).isFalse();
    assertThat(read("{\"usage\":null}").known()).isFalse();
    assertThat(read("{\"usage\":42}").known()).isFalse();
    assertThat(read("{}").known()).isFalse();
    // an empty usage object is a report of zero
    assertThat(read("{\"usage\":{}}").known()).isTrue();
  }

  @Test
  void anErrorMemberIsNoted() throws IOException {
    ReplyUsage u = read("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"code\":null}}");
    assertThat(u.error).isTrue();
    assertThat(u.known()).isFalse();
    assertThat(read("{\"error\":\"boom\"}").error).isTrue();
    assertThat(read("{\"error\":null,\"choices\":[]}").error).isFalse();
  }

  @Test
  void theFinalUsageChunkHasEmptyChoices() throws IOException {
    ReplyUsage u = read("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}", new StringBuilder());
    assertThat(u.hasChoices).isTrue();
    assertThat(u.emptyChoices).isTrue();
    assertThat(u.known()).isTrue();
    ReplyUsage content = read("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}],\"usage\":null}",
        new StringBuilder());
    assertThat(content.hasChoices).isTrue();
    assertThat(content.emptyChoices).isFalse();
    ReplyUsage none = read("{\"id\":\"c\"}");
    assertThat(none.hasChoices).isFalse();
    assertThat(none.emptyChoices).isFalse();
  }

  @Test
  void deliveredTextIsCollectedFromDeltasMessagesCompletionsAndToolCalls() throws IOException {
    StringBuilder text = new StringBuilder();
    read("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},"
        + "\"logprobs\":{\"content\":[{\"token\":\"ignored\"}]}}]}", text);
    read("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":null}]}", text);
    assertThat(text.toString()).isEqualTo("Hello");

    StringBuilder message = new StringBuilder();
    read("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"whole answer\",\"refusal\":null}},"
        + "{\"message\":{\"content\":\" second\"}}]}", message);
    assertThat(message.toString()).isEqualTo("whole answer second");

    StringBuilder completion = new StringBuilder();
    read("{\"choices\":[{\"text\":\"legacy \",\"index\":0},{\"text\":\"completion\"}]}", completion);
    assertThat(completion.toString()).isEqualTo("legacy completion");

    StringBuilder tools = new StringBuilder();
    read("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\"}}]}}]}", tools);
    read("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}}]},"
        + "\"finish_reason\":null}]}", tools);
    assertThat(tools.toString()).isEqualTo("weather{\"city\":\"Oslo\"}");
  }

  @Test
  void nullContentAndOddChoicesAddNothing() throws IOException {
    StringBuilder text = new StringBuilder();
    ReplyUsage u = read("{\"choices\":[1,\"x\",null,{\"delta\":{\"content\":null}},{\"message\":\"str\"},"
        + "{\"delta\":{}}]}", text);
    assertThat(text).isEmpty();
    assertThat(u.emptyChoices).isFalse();
  }

  @Test
  void withoutATextBufferChoicesAreSkipped() throws IOException {
    ReplyUsage u = read("{\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"usage\":{\"prompt_tokens\":1}}");
    assertThat(u.known()).isTrue();
    assertThat(u.promptTokens).isEqualTo(1);
  }

  @Test
  void readsOnlyTheGivenSlice() throws IOException {
    byte[] bytes = "xx{\"usage\":{\"prompt_tokens\":9}}yy".getBytes(StandardCharsets.UTF_8);
    assertThat(ReplyUsage.read(bytes, 2, bytes.length - 4, null).promptTokens).isEqualTo(9);
  }

  @ParameterizedTest
  @ValueSource(strings = {"garbage", "", "[1,2]", "\"usage\"", "42", "null", "<html>502</html>"})
  void somethingThatIsNotAnObjectIsAnIoException(String body) {
    assertThatThrownBy(() -> read(body, new StringBuilder())).isInstanceOf(IOException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"usage\":{\"prompt_tokens\":1", "{\"choices\":[{\"delta\":{\"content\":\"x\"",
      "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"{", "{\"id\":\"x\",",
      "{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}", "{"})
  void truncatedJsonIsAnIoException(String body) {
    assertThatThrownBy(() -> read(body, new StringBuilder())).isInstanceOf(IOException.class);
  }
}
