package com.neurasea.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.neurasea.model.Channel;
import com.neurasea.model.ChannelId;
import com.neurasea.model.ChannelStatus;
import com.neurasea.model.ChannelType;
import com.neurasea.spi.UpstreamCall;
import com.neurasea.spi.UpstreamHandler;
import com.neurasea.spi.UpstreamRequest;
import com.neurasea.spi.UpstreamTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The local demo channel: a model named {@value #MODEL} that answers in-process, with no provider
 * account, by echoing the last user message ({@code "echo: <text>"}). Off unless
 * {@link GatewaySettings#demoChannel()} is set. Token counts are words, not a real tokenizer's.
 * Its usage records name the channel {@code local:demo}, so nothing is recorded as disclosed.
 */
final class DemoChannel implements UpstreamTransport {
  /** The demo model's name. */
  static final String MODEL = "demo-echo";
  static final ChannelId ID = ChannelId.of("chn_local-demo");

  static Route route(GatewaySettings settings) {
    Instant epoch = Instant.EPOCH;
    Channel channel = new Channel(ID, null, "Local demo (echo, in-process)", ChannelType.OPENAI_COMPATIBLE,
        "http://demo.neurasea.invalid/v1", List.of(MODEL), Map.of(), 0, 1, List.of(), 0, 0, 1_000, 10_000, Map.of(),
        ChannelStatus.ENABLED, null, "", 1, epoch, epoch);
    return new Route(channel, null, new ChannelHealth(settings), new DemoChannel(), "local:demo");
  }

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public UpstreamCall send(UpstreamRequest request, UpstreamHandler handler) {
    try {
      JsonNode body = RequestScan.MAPPER.readTree(request.body());
      String path = request.uri().getPath();
      boolean stream = body.path("stream").asBoolean(false);
      String prompt = promptOf(body);
      String reply = "echo: " + lastUserText(body);
      long promptTokens = words(prompt);
      long completionTokens = words(reply);
      if (path.endsWith("/embeddings")) {
        respond(handler, embeddings(body, promptTokens));
      } else if (stream) {
        handler.onResponse(200, Map.of("content-type", List.of("text/event-stream")));
        boolean chat = path.endsWith("/chat/completions");
        String[] parts = reply.split("(?<= )");
        for (String part : parts) {
          ObjectNode chunk = chunk(body, chat);
          ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject().put("index", 0);
          if (chat) {
            choice.putObject("delta").put("content", part);
          } else {
            choice.put("text", part);
          }
          choice.putNull("finish_reason");
          event(handler, chunk.toString());
        }
        ObjectNode last = chunk(body, chat);
        ObjectNode choice = ((ArrayNode) last.get("choices")).addObject().put("index", 0);
        if (chat) {
          choice.putObject("delta");
        } else {
          choice.put("text", "");
        }
        choice.put("finish_reason", "stop");
        event(handler, last.toString());
        if (body.path("stream_options").path("include_usage").asBoolean(false)) {
          ObjectNode usage = chunk(body, chat);
          usage.set("usage", usage(promptTokens, completionTokens));
          event(handler, usage.toString());
        }
        event(handler, "[DONE]");
        handler.onComplete();
      } else {
        boolean chat = path.endsWith("/chat/completions");
        ObjectNode out = RequestScan.MAPPER.createObjectNode();
        out.put("id", (chat ? "chatcmpl-demo-" : "cmpl-demo-") + System.nanoTime());
        out.put("object", chat ? "chat.completion" : "text_completion");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", body.path("model").asText(MODEL));
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        if (chat) {
          choice.putObject("message").put("role", "assistant").put("content", reply);
        } else {
          choice.put("text", reply);
        }
        choice.put("finish_reason", "stop");
        out.set("usage", usage(promptTokens, completionTokens));
        respond(handler, out.toString());
      }
    } catch (IOException | RuntimeException e) {
      byte[] error = OpenAiErrors.body("the demo channel cannot read this request", "invalid_request_error",
          null, "invalid_request");
      handler.onResponse(400, Map.of("content-type", List.of("application/json")));
      handler.onBody(ByteBuffer.wrap(error));
      handler.onComplete();
    }
    return () -> { };
  }

  @Override
  public void close() {}

  private static void respond(UpstreamHandler handler, String json) {
    handler.onResponse(200, Map.of("content-type", List.of("application/json")));
    handler.onBody(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
    handler.onComplete();
  }

  private static void event(UpstreamHandler handler, String data) {
    handler.onBody(ByteBuffer.wrap(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8)));
  }

  private static ObjectNode chunk(JsonNode body, boolean chat) {
    ObjectNode chunk = RequestScan.MAPPER.createObjectNode();
    chunk.put("id", "chatcmpl-demo");
    chunk.put("object", chat ? "chat.completion.chunk" : "text_completion");
    chunk.put("created", System.currentTimeMillis() / 1000);
    chunk.put("model", body.path("model").asText(MODEL));
    chunk.putArray("choices");
    return chunk;
  }

  private static ObjectNode usage(long prompt, long completion) {
    ObjectNode usage = RequestScan.MAPPER.createObjectNode();
    usage.put("prompt_tokens", prompt);
    usage.put("completion_tokens", completion);
    usage.put("total_tokens", prompt + completion);
    return usage;
  }

  private static String embeddings(JsonNode body, long promptTokens) {
    ObjectNode out = RequestScan.MAPPER.createObjectNode();
    out.put("object", "list");
    ArrayNode data = out.putArray("data");
    JsonNode input = body.path("input");
    int count = input.isArray() ? input.size() : 1;
    for (int i = 0; i < count; i++) {
      String text = input.isArray() ? input.get(i).asText() : input.asText();
      ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      ArrayNode vector = item.putArray("embedding");
      int hash = text.hashCode();
      for (int d = 0; d < 8; d++) {
        vector.add(((hash >>> (d * 4)) & 0xf) / 15.0);
      }
    }
    out.put("model", body.path("model").asText(MODEL));
    out.set("usage", RequestScan.MAPPER.createObjectNode().put("prompt_tokens", promptTokens)
        .put("total_tokens", promptTokens));
    return out.toString();
  }

  private static String promptOf(JsonNode body) {
    StringBuilder text = new StringBuilder();
    for (JsonNode message : body.path("messages")) {
      text.append(contentText(message.path("content"))).append(' ');
    }
    JsonNode prompt = body.path("prompt");
    text.append(prompt.isTextual() ? prompt.asText() : "");
    JsonNode input = body.path("input");
    if (input.isTextual()) {
      text.append(input.asText());
    } else {
      input.forEach(i -> text.append(i.asText()).append(' '));
    }
    return text.toString();
  }

  private static String lastUserText(JsonNode body) {
    String last = body.path("prompt").asText("");
    for (JsonNode message : body.path("messages")) {
      if ("user".equals(message.path("role").asText())) {
        last = contentText(message.path("content"));
      }
    }
    return last;
  }

  private static String contentText(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      if ("text".equals(part.path("type").asText())) {
        text.append(part.path("text").asText());
      }
    }
    return text.toString();
  }

  private static long words(String text) {
    String trimmed = text.trim();
    return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
  }
}
