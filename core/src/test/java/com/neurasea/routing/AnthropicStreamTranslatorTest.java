package com.neurasea.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnthropicStreamTranslatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A streamed text reply as the Messages API sends it, with prompt caching in play. */
  private static final String TEXT_STREAM = """
      event: message_start
      data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message",\
      "role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,\
      "usage":{"input_tokens":25,"cache_creation_input_tokens":300,"cache_read_input_tokens":1200,"output_tokens":1}}}

      event: content_block_start
      data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

      event: ping
      data: {"type": "ping"}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", \\"wörld\\" 🌍\\n"}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Bye."}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":0}

      event: message_delta
      data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},\
      "usage":{"output_tokens":15}}

      event: message_stop
      data: {"type":"message_stop"}

      """;

  /** A streamed reply with text, then two tool calls whose input arrives in fragments. */
  private static final String TOOL_STREAM = """
      event: message_start
      data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message",\
      "role":"assistant","model":"claude-sonnet-4-5-20250929","stop_sequence":null,"usage":{"input_tokens":472,\
      "output_tokens":2},"content":[],"stop_reason":null}}

      event: content_block_start
      data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me check "}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"both cities."}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":0}

      event: content_block_start
      data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use",\
      "id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta",\
      "partial_json":"{\\"location\\":"}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \\"San Fra"}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ncisco, CA\\"}"}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":1}

      event: content_block_start
      data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use",\
      "id":"toolu_01Ab2Cd3Ef4Gh5Ij6Kl7Mn8O","name":"get_time","input":{}}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta",\
      "partial_json":"{\\"tz\\": \\"PST\\"}"}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":2}

      event: message_delta
      data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},\
      "usage":{"output_tokens":89}}

      event: message_stop
      data: {"type":"message_stop"}

      """;

  /** What the caller received: the chunks in order, and whether the stream ended with [DONE]. */
  private record Received(List<JsonNode> chunks, boolean done, String raw) {
    List<JsonNode> choiceChunks() {
      return chunks.stream().filter(c -> c.get("choices").size() > 0).toList();
    }

    String content() {
      StringBuilder content = new StringBuilder();
      for (JsonNode chunk : choiceChunks()) {
        JsonNode text = chunk.at("/choices/0/delta/content");
        if (text.isTextual()) {
          content.append(text.asText());
        }
      }
      return content.toString();
    }

    String finishReason() {
      String reason = null;
      for (JsonNode chunk : choiceChunks()) {
        JsonNode value = chunk.at("/choices/0/finish_reason");
        if (!value.isNull()) {
          assertThat(reason).as("only one chunk has a finish reason").isNull();
          reason = value.asText();
        }
      }
      return reason;
    }
  }

  /** Runs an upstream SSE text through the parser and the translator, in small chunks, as the gateway would. */
  private static Received run(String upstream, AnthropicStreamTranslator translator) {
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    SseParser parser = new SseParser((event, data) -> sent.writeBytes(translator.onEvent(event, data)), 1 << 20);
    byte[] bytes = upstream.getBytes(StandardCharsets.UTF_8);
    for (int offset = 0; offset < bytes.length; offset += 7) {
      parser.feed(ByteBuffer.wrap(bytes, offset, Math.min(7, bytes.length - offset)));
    }
    assertThat(parser.hasPartialEvent()).isFalse();
    return parse(sent.toString(StandardCharsets.UTF_8));
  }

  /** Parses what an OpenAI client would receive, checking the SSE framing on the way. */
  private static Received parse(String raw) {
    List<JsonNode> chunks = new ArrayList<>();
    boolean done = false;
    assertThat(raw).endsWith("\n\n");
    for (String event : raw.split("\n\n")) {
      assertThat(done).as("nothing after [DONE]").isFalse();
      assertThat(event).startsWith("data: ").doesNotContain("\n");
      String data = event.substring("data: ".length());
      if (data.equals("[DONE]")) {
        done = true;
        continue;
      }
      try {
        chunks.add(JSON.readTree(data));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new Received(chunks, done, raw);
  }

  @Test
  void translatesATextReply() {
    AnthropicStreamTranslator translator =
        new AnthropicStreamTranslator("my-alias", "chatcmpl-7", 1_760_000_000L, false);
    Received received = run(TEXT_STREAM, translator);

    for (JsonNode chunk : received.chunks()) {
      assertThat(chunk.get("id").asText()).isEqualTo("chatcmpl-7");
      assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(chunk.get("created").asLong()).isEqualTo(1_760_000_000L);
      assertThat(chunk.get("model").asText()).isEqualTo("my-alias");
      assertThat(chunk.get("choices")).hasSize(1);
      assertThat(chunk.at("/choices/0/index").asInt()).isZero();
      assertThat(chunk.has("usage")).isFalse();
    }
    List<JsonNode> chunks = received.chunks();
    assertThat(chunks.get(0).at("/choices/0/delta")).isEqualTo(json("{'role':'assistant','content':''}"));
    assertThat(chunks.get(0).at("/choices/0/finish_reason").isNull()).isTrue();
    assertThat(chunks).hasSize(5);
    assertThat(chunks.get(4).at("/choices/0/delta")).isEqualTo(json("{}"));
    assertThat(received.content()).isEqualTo("Hello, \"wörld\" 🌍\nBye.");
    assertThat(received.finishReason()).isEqualTo("stop");
    assertThat(received.done()).isTrue();

    assertThat(translator.finished()).isTrue();
    assertThat(translator.error()).isNull();
    assertThat(translator.promptTokens()).isEqualTo(325);
    assertThat(translator.cachedTokens()).isEqualTo(1200);
    assertThat(translator.completionTokens()).isEqualTo(15);
  }

  @Test
  void addsTheUsageChunkWhenAskedFor() {
    AnthropicStreamTranslator translator =
        new AnthropicStreamTranslator("my-alias", "chatcmpl-8", 1_760_000_000L, true);
    Received received = run(TEXT_STREAM, translator);

    List<JsonNode> chunks = received.chunks();
    JsonNode last = chunks.get(chunks.size() - 1);
    assertThat(last.get("choices")).isEmpty();
    assertThat(last.get("id").asText()).isEqualTo("chatcmpl-8");
    assertThat(last.get("usage")).isEqualTo(json("{'prompt_tokens':1525,'completion_tokens':15,'total_tokens':1540,"
        + "'prompt_tokens_details':{'cached_tokens':1200}}"));
    for (JsonNode chunk : chunks.subList(0, chunks.size() - 1)) {
      assertThat(chunk.get("usage").isNull()).isTrue();
    }
    assertThat(received.content()).isEqualTo("Hello, \"wörld\" 🌍\nBye.");
    assertThat(received.finishReason()).isEqualTo("stop");
    assertThat(received.done()).isTrue();
  }

  @Test
  void translatesToolCalls() throws IOException {
    AnthropicStreamTranslator translator =
        new AnthropicStreamTranslator("my-alias", "chatcmpl-9", 1_760_000_000L, true);
    Received received = run(TOOL_STREAM, translator);

    assertThat(received.content()).isEqualTo("Let me check both cities.");
    assertThat(received.finishReason()).isEqualTo("tool_calls");
    assertThat(received.done()).isTrue();

    // reassemble the tool calls as an OpenAI client does: by index, the first fragment carrying id and name
    List<String[]> calls = new ArrayList<>(); // id, name, arguments
    for (JsonNode chunk : received.choiceChunks()) {
      for (JsonNode call : chunk.at("/choices/0/delta/tool_calls")) {
        int index = call.get("index").asInt();
        if (index == calls.size()) {
          assertThat(call.get("type").asText()).isEqualTo("function");
          calls.add(new String[] {call.get("id").asText(), call.at("/function/name").asText(), ""});
        }
        calls.get(index)[2] += call.at("/function/arguments").asText();
      }
    }
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0)[0]).isEqualTo("toolu_01T1x1fJ34qAmk2tNTrN7Up6");
    assertThat(calls.get(0)[1]).isEqualTo("get_weather");
    assertThat(JSON.readTree(calls.get(0)[2])).isEqualTo(json("{'location':'San Francisco, CA'}"));
    assertThat(calls.get(1)[0]).isEqualTo("toolu_01Ab2Cd3Ef4Gh5Ij6Kl7Mn8O");
    assertThat(calls.get(1)[1]).isEqualTo("get_time");
    assertThat(JSON.readTree(calls.get(1)[2])).isEqualTo(json("{'tz':'PST'}"));

    JsonNode usage = received.chunks().get(received.chunks().size() - 1).get("usage");
    assertThat(usage).isEqualTo(json("{'prompt_tokens':472,'completion_tokens':89,'total_tokens':561,"
        + "'prompt_tokens_details':{'cached_tokens':0}}"));
    assertThat(translator.promptTokens()).isEqualTo(472);
    assertThat(translator.completionTokens()).isEqualTo(89);
  }

  @Test
  void theFirstToolCallChunkCarriesIdTypeAndNameWithEmptyArguments() {
    AnthropicStreamTranslator translator = new AnthropicStreamTranslator("m", "chatcmpl-1", 1L, false);
    translator.onEvent("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
        + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
        + "\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}");
    byte[] start = translator.onEvent("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
        + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"now\",\"input\":{}}}");
    JsonNode chunk = parse(new String(start, StandardCharsets.UTF_8)).chunks().get(0);
    assertThat(chunk.at("/choices/0/delta")).isEqualTo(json("{'tool_calls':[{'index':0,'id':'toolu_1',"
        + "'type':'function','function':{'name':'now','arguments':''}}]}"));
    assertThat(translator.onEvent("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}")).isEmpty();
  }

  @Test
  void recordsAnErrorEventAndSendsNothing() {
    AnthropicStreamTranslator translator = new AnthropicStreamTranslator("m", "chatcmpl-2", 1L, true);
    String upstream = TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("event: content_block_stop"))
        + "event: error\n"
        + "data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    List<Integer> sizes = new ArrayList<>();
    SseParser parser = new SseParser((event, data) -> {
      byte[] bytes = translator.onEvent(event, data);
      sizes.add(bytes.length);
      sent.writeBytes(bytes);
    }, 1 << 16);
    parser.feed(ByteBuffer.wrap(upstream.getBytes(StandardCharsets.UTF_8)));

    assertThat(translator.error()).isEqualTo("Overloaded");
    assertThat(translator.finished()).isFalse();
    assertThat(sizes.get(sizes.size() - 1)).isZero();
    Received received = parse(sent.toString(StandardCharsets.UTF_8));
    assertThat(received.done()).isFalse();
    assertThat(received.finishReason()).isNull();
    assertThat(received.content()).isEqualTo("Hello, \"wörld\" 🌍\nBye.");
    assertThat(translator.promptTokens()).isEqualTo(325);
  }

  @Test
  void ignoresPingsUnknownEventsThinkingAndAnythingAfterTheEnd() {
    AnthropicStreamTranslator translator = new AnthropicStreamTranslator("m", "chatcmpl-3", 1L, false);
    assertThat(translator.onEvent("ping", "{\"type\": \"ping\"}")).isEmpty();
    assertThat(translator.onEvent("future_event", "{\"type\":\"future_event\",\"x\":1}")).isEmpty();
    translator.onEvent(null, "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":5}}}");
    assertThat(translator.onEvent("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
        + "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}")).isEmpty();
    assertThat(translator.onEvent("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Let me think.\"}}")).isEmpty();
    assertThat(translator.onEvent("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM\"}}")).isEmpty();
    byte[] end = translator.onEvent(null, "{\"type\":\"message_stop\"}");
    Received received = parse(new String(end, StandardCharsets.UTF_8));
    assertThat(received.finishReason()).isEqualTo("stop");
    assertThat(received.done()).isTrue();
    assertThat(translator.finished()).isTrue();
    assertThat(translator.onEvent("message_stop", "{\"type\":\"message_stop\"}")).isEmpty();
    assertThat(translator.promptTokens()).isEqualTo(5);
  }

  @Test
  void theLengthStopReasonAndCumulativeUsageInMessageDelta() {
    AnthropicStreamTranslator translator = new AnthropicStreamTranslator("m", "chatcmpl-4", 1L, false);
    translator.onEvent("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":10,"
        + "\"output_tokens\":1}}}");
    translator.onEvent("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},"
        + "\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":40,\"output_tokens\":64}}");
    Received received = parse(new String(translator.onEvent("message_stop", "{\"type\":\"message_stop\"}"),
        StandardCharsets.UTF_8));
    assertThat(received.finishReason()).isEqualTo("length");
    assertThat(translator.completionTokens()).isEqualTo(64);
    assertThat(translator.cachedTokens()).isEqualTo(40);
  }

  @Test
  void refusesDataThatIsNotJson() {
    AnthropicStreamTranslator translator = new AnthropicStreamTranslator("m", "chatcmpl-5", 1L, false);
    assertThatThrownBy(() -> translator.onEvent("content_block_delta", "{\"type\":"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void escapesTheIdAndModelItReports() {
    AnthropicStreamTranslator translator = new AnthropicStreamTranslator("team/\"odd\" model", "id\\1", 1L, false);
    byte[] first = translator.onEvent("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{}}}");
    JsonNode chunk = parse(new String(first, StandardCharsets.UTF_8)).chunks().get(0);
    assertThat(chunk.get("model").asText()).isEqualTo("team/\"odd\" model");
    assertThat(chunk.get("id").asText()).isEqualTo("id\\1");
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
