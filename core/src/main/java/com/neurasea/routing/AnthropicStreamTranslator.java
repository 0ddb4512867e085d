package com.neurasea.routing;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Translates one streamed Anthropic Messages reply, event by event, into OpenAI
 * {@code chat.completion.chunk} server-sent events. Not thread-safe: one instance per response.
 *
 * <p>{@code message_start} yields the first chunk, whose delta is {@code {"role":"assistant","content":""}},
 * and gives the input token counts; {@code text_delta}s become {@code delta.content}; a {@code tool_use}
 * block start becomes a {@code delta.tool_calls} entry with its id, type and name (OpenAI tool call
 * indexes count tool blocks only) and its {@code input_json_delta}s that entry's argument fragments;
 * {@code message_delta} gives the stop reason and the output token count; {@code message_stop} yields a
 * chunk with an empty delta and the finish reason, then, when usage was asked for, a chunk with no
 * choices and the usage, then {@code data: [DONE]}. An {@code error} event is recorded for
 * {@link #error()} and yields nothing: the caller writes the error. {@code ping}, thinking and citation
 * deltas, server tool blocks and unknown events yield nothing; events after {@code message_stop} or an
 * error are ignored.
 *
 * <p>When usage was asked for, every chunk carries {@code "usage":null} and the last one the usage, as
 * OpenAI does with {@code stream_options.include_usage}.
 */
final class AnthropicStreamTranslator {
  private static final byte[] NOTHING = new byte[0];
  private static final String DONE = "data: [DONE]\n\n";

  private final boolean includeUsage;
  /** {@code data: {"id":…,"object":"chat.completion.chunk","created":…,"model":…}, open after the model. */
  private final String head;
  private final StringBuilder out = new StringBuilder(256);
  /** Anthropic content block index to OpenAI tool call index. */
  private final Map<Integer, Integer> toolIndexes = new HashMap<>();

  private boolean started;
  private boolean finished;
  private String error;
  private String stopReason;
  private long inputTokens;
  private long cacheCreationTokens;
  private long cacheReadTokens;
  private long outputTokens;

  /**
   * Creates a translator for one response.
   *
   * @param model the model name the caller used
   * @param id the completion id to report in every chunk
   * @param created the creation time to report, in epoch seconds
   * @param includeUsage whether the caller asked for a final usage chunk ({@code stream_options.include_usage})
   */
  AnthropicStreamTranslator(String model, String id, long created, boolean includeUsage) {
    this.includeUsage = includeUsage;
    this.head = "data: {\"id\":" + literal(id) + ",\"object\":\"chat.completion.chunk\",\"created\":" + created
        + ",\"model\":" + literal(model);
  }

  /**
   * Translates one upstream event.
   *
   * @param event the SSE event name, or null to use the data's {@code type}
   * @param data the SSE data, a JSON object
   * @return the UTF-8 bytes to send to the caller now: zero or more complete SSE events
   * @throws IllegalArgumentException when the data is not JSON
   */
  byte[] onEvent(String event, String data) {
    if (finished || error != null || "ping".equals(event)) {
      return NOTHING;
    }
    JsonNode node;
    try {
      node = AnthropicTranslator.MAPPER.readTree(data);
    } catch (IOException e) {
      throw new IllegalArgumentException("upstream returned an unreadable event", e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("upstream returned an unreadable event");
    }
    String type = event != null ? event : node.path("type").asText();
    out.setLength(0);
    switch (type) {
      case "message_start":
        usage(node.path("message").path("usage"));
        start();
        break;
      case "content_block_start":
        blockStart(node.path("index").asInt(-1), node.path("content_block"));
        break;
      case "content_block_delta":
        blockDelta(node.path("index").asInt(-1), node.path("delta"));
        break;
      case "message_delta":
        String reason = node.path("delta").path("stop_reason").asText(null);
        if (reason != null) {
          stopReason = reason;
        }
        usage(node.path("usage"));
        break;
      case "message_stop":
        stop();
        break;
      case "error":
        JsonNode message = node.path("error").get("message");
        error = message != null && message.isTextual() ? message.asText()
            : node.path("error").path("type").asText("upstream error");
        break;
      default:
        // ping, content_block_stop and event types added later carry nothing to forward
        break;
    }
    return out.length() == 0 ? NOTHING : out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Prompt tokens known so far, without cache reads: input plus cache creation tokens. */
  long promptTokens() {
    return inputTokens + cacheCreationTokens;
  }

  /** Output tokens known so far. */
  long completionTokens() {
    return outputTokens;
  }

  /** Prompt tokens read from the cache, known so far. */
  long cachedTokens() {
    return cacheReadTokens;
  }

  /** Returns whether {@code message_stop} was seen, that is whether the reply is complete. */
  boolean finished() {
    return finished;
  }

  /** Returns the message of the upstream's {@code error} event, or null if there was none. */
  String error() {
    return error;
  }

  /** Takes the usage counts present in a {@code message_start} or {@code message_delta} usage object (cumulative). */
  private void usage(JsonNode usage) {
    inputTokens = Math.max(inputTokens, usage.path("input_tokens").asLong(0));
    cacheCreationTokens = Math.max(cacheCreationTokens, usage.path("cache_creation_input_tokens").asLong(0));
    cacheReadTokens = Math.max(cacheReadTokens, usage.path("cache_read_input_tokens").asLong(0));
    outputTokens = Math.max(outputTokens, usage.path("output_tokens").asLong(0));
  }

  /** Writes the first chunk, announcing the assistant role, unless already written. */
  private void start() {
    if (!started) {
      started = true;
      beginChunk().append("{\"role\":\"assistant\",\"content\":\"\"}");
      endChunk(null);
    }
  }

  private void blockStart(int index, JsonNode block) {
    String type = block.path("type").asText();
    if (type.equals("text")) {
      text(block.path("text").asText());
    } else if (type.equals("tool_use")) {
      start();
      int toolIndex = toolIndexes.size();
      toolIndexes.put(index, toolIndex);
      beginChunk().append("{\"tool_calls\":[{\"index\":").append(toolIndex).append(",\"id\":");
      quote(block.path("id").asText()).append(",\"type\":\"function\",\"function\":{\"name\":");
      quote(block.path("name").asText()).append(",\"arguments\":\"\"}}]}");
      endChunk(null);
    }
  }

  private void blockDelta(int index, JsonNode delta) {
    String type = delta.path("type").asText();
    if (type.equals("text_delta")) {
      text(delta.path("text").asText());
    } else if (type.equals("input_json_delta")) {
      Integer toolIndex = toolIndexes.get(index);
      String partial = delta.path("partial_json").asText();
      if (toolIndex != null && !partial.isEmpty()) {
        beginChunk().append("{\"tool_calls\":[{\"index\":").append(toolIndex).append(",\"function\":{\"arguments\":");
        quote(partial).append("}}]}");
        endChunk(null);
      }
    }
  }

  private void text(String text) {
    if (!text.isEmpty()) {
      start();
      beginChunk().append("{\"content\":");
      quote(text).append('}');
      endChunk(null);
    }
  }

  /** Writes the closing chunk, the usage chunk when asked for, and the end marker. */
  private void stop() {
    start();
    finished = true;
    beginChunk().append("{}");
    endChunk(AnthropicTranslator.finishReason(stopReason));
    if (includeUsage) {
      long prompt = inputTokens + cacheCreationTokens + cacheReadTokens;
      out.append(head).append(",\"choices\":[],\"usage\":{\"prompt_tokens\":").append(prompt)
          .append(",\"completion_tokens\":").append(outputTokens)
          .append(",\"total_tokens\":").append(prompt + outputTokens)
          .append(",\"prompt_tokens_details\":{\"cached_tokens\":").append(cacheReadTokens).append("}}}\n\n");
    }
    out.append(DONE);
  }

  /** Starts a chunk event with a single choice, up to its delta, which the caller appends next. */
  private StringBuilder beginChunk() {
    return out.append(head).append(",\"choices\":[{\"index\":0,\"delta\":");
  }

  /** Ends the chunk event started by {@link #beginChunk()}. */
  private void endChunk(String finishReason) {
    out.append(",\"logprobs\":null,\"finish_reason\":");
    if (finishReason == null) {
      out.append("null");
    } else {
      out.append('"').append(finishReason).append('"');
    }
    out.append("}]");
    if (includeUsage) {
      out.append(",\"usage\":null");
    }
    out.append("}\n\n");
  }

  /** Appends a value as a JSON string literal. */
  private StringBuilder quote(String value) {
    return out.append('"').append(JsonStringEncoder.getInstance().quoteAsString(value)).append('"');
  }

  /** A value as a JSON string literal. */
  private static String literal(String value) {
    return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + '"';
  }
}
