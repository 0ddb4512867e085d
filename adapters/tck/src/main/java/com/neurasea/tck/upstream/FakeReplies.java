package com.neurasea.tck.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The deterministic reply rules of {@link FakeUpstream} and the JSON it writes. */
final class FakeReplies {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int EMBEDDING_DIMENSIONS = 8;
  private static final Pattern PIECE = Pattern.compile("\\s*\\S+\\s*");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private FakeReplies() {}

  // ---- the token rule ----

  static JsonNode parse(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("not a JSON object: " + json);
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + json, e);
    }
  }

  static long words(String text) {
    String trimmed = text.strip();
    return trimmed.isEmpty() ? 0 : WHITESPACE.split(trimmed).length;
  }

  /** The pieces a stream sends: each word with the whitespace after it; they concatenate to {@code text}. */
  static List<String> pieces(String text) {
    List<String> pieces = new ArrayList<>();
    Matcher matcher = PIECE.matcher(text);
    while (matcher.find()) {
      pieces.add(matcher.group());
    }
    return pieces;
  }

  /**
   * The text of a message content: a string as is; an array of parts (OpenAI) or blocks (Anthropic) as its text
   * parts joined with single spaces (tool results' contents included).
   */
  static String textOf(JsonNode content) {
    if (content == null || content.isNull() || content.isMissingNode()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (content.isArray()) {
      List<String> texts = new ArrayList<>();
      for (JsonNode part : content) {
        if (part.isTextual()) {
          texts.add(part.asText());
        } else if (part.isObject()) {
          if (part.path("text").isTextual()) {
            texts.add(part.path("text").asText());
          } else if ("tool_result".equals(part.path("type").asText()) && part.has("content")) {
            texts.add(textOf(part.get("content")));
          }
        }
      }
      return String.join(" ", texts);
    }
    return "";
  }

  /** The prompt of a text completion, or each input of an embedding request, as texts (token arrays as numbers). */
  static List<String> inputsOf(JsonNode value) {
    List<String> inputs = new ArrayList<>();
    if (value == null || value.isNull() || value.isMissingNode()) {
      return inputs;
    }
    if (value.isTextual()) {
      inputs.add(value.asText());
    } else if (value.isArray()) {
      if (value.size() > 0 && value.get(0).isNumber()) {
        inputs.add(numbers(value));
      } else {
        for (JsonNode item : value) {
          if (item.isTextual()) {
            inputs.add(item.asText());
          } else if (item.isArray()) {
            inputs.add(numbers(item));
          }
        }
      }
    }
    return inputs;
  }

  private static String numbers(JsonNode array) {
    List<String> numbers = new ArrayList<>();
    for (JsonNode n : array) {
      numbers.add(n.asText());
    }
    return String.join(" ", numbers);
  }

  static long promptTokens(JsonNode request) {
    long tokens = 0;
    JsonNode messages = request.path("messages");
    if (messages.isArray()) {
      for (JsonNode message : messages) {
        tokens += words(textOf(message.get("content")));
      }
    }
    if (request.has("system")) {
      tokens += words(textOf(request.get("system")));
    }
    for (String prompt : inputsOf(request.get("prompt"))) {
      tokens += words(prompt);
    }
    for (String input : inputsOf(request.get("input"))) {
      tokens += words(input);
    }
    return tokens;
  }

  static String completion(JsonNode request) {
    JsonNode messages = request.path("messages");
    if (messages.isArray()) {
      String last = "";
      for (JsonNode message : messages) {
        if ("user".equals(message.path("role").asText())) {
          last = textOf(message.get("content"));
        }
      }
      return "echo: " + last;
    }
    if (request.has("prompt")) {
      return "echo: " + String.join(" ", inputsOf(request.get("prompt")));
    }
    return "";
  }

  static float[] embedding(String input) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(input.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    float[] vector = new float[EMBEDDING_DIMENSIONS];
    for (int i = 0; i < vector.length; i++) {
      int bits = ((digest[2 * i] & 0xff) << 8) | (digest[2 * i + 1] & 0xff);
      vector[i] = bits / 32768f - 1f;
    }
    return vector;
  }

  static String base64(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : vector) {
      bytes.putFloat(f);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  // ---- errors ----

  static byte[] openAiError(String message, String type, String param, String code) {
    return bytes(openAiErrorNode(message, type, param, code));
  }

  static ObjectNode openAiErrorNode(String message, String type, String param, String code) {
    ObjectNode error = JSON.createObjectNode();
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    ObjectNode root = JSON.createObjectNode();
    root.set("error", error);
    return root;
  }

  static byte[] anthropicError(String type, String message) {
    return bytes(anthropicErrorNode(type, message));
  }

  static ObjectNode anthropicErrorNode(String type, String message) {
    ObjectNode error = JSON.createObjectNode();
    error.put("type", type);
    error.put("message", message);
    ObjectNode root = JSON.createObjectNode();
    root.put("type", "error");
    root.set("error", error);
    return root;
  }

  /** Azure's own shape for gateway-level errors such as a bad key. */
  static byte[] azureError(String code, String message) {
    ObjectNode error = JSON.createObjectNode();
    error.put("code", code);
    error.put("message", message);
    ObjectNode root = JSON.createObjectNode();
    root.set("error", error);
    return bytes(root);
  }

  static String openAiTypeFor(int status) {
    switch (status) {
      case 401:
      case 400:
      case 404:
      case 409:
      case 422:
        return "invalid_request_error";
      case 403:
        return "permission_error";
      case 429:
        return "requests";
      default:
        return status >= 500 ? "server_error" : "invalid_request_error";
    }
  }

  static String openAiCodeFor(int status) {
    switch (status) {
      case 401:
        return "invalid_api_key";
      case 403:
        return "unsupported_country_region_territory";
      case 429:
        return "rate_limit_exceeded";
      default:
        return null;
    }
  }

  static String openAiMessageFor(int status) {
    switch (status) {
      case 401:
        return "Incorrect API key provided.";
      case 403:
        return "Country, region, or territory not supported";
      case 404:
        return "The model does not exist or you do not have access to it.";
      case 429:
        return "Rate limit reached for requests. Please try again later.";
      case 500:
        return "The server had an error while processing your request. Sorry about that!";
      case 503:
        return "The server is overloaded or not ready yet.";
      default:
        return "Fake upstream error " + status + ".";
    }
  }

  static String anthropicTypeFor(int status) {
    switch (status) {
      case 400:
        return "invalid_request_error";
      case 401:
        return "authentication_error";
      case 402:
        return "billing_error";
      case 403:
        return "permission_error";
      case 404:
        return "not_found_error";
      case 413:
        return "request_too_large";
      case 429:
        return "rate_limit_error";
      case 504:
        return "timeout_error";
      case 529:
        return "overloaded_error";
      default:
        return status >= 500 ? "api_error" : "invalid_request_error";
    }
  }

  static String anthropicMessageFor(int status) {
    switch (status) {
      case 401:
        return "invalid x-api-key";
      case 403:
        return "Your API key does not have permission to use the specified resource.";
      case 404:
        return "The requested resource could not be found.";
      case 429:
        return "Number of request tokens has exceeded your per-minute rate limit.";
      case 500:
        return "Internal server error";
      case 529:
        return "Overloaded";
      default:
        return "Fake upstream error " + status + ".";
    }
  }

  // ---- OpenAI / Azure ----

  static ObjectNode usage(long prompt, long completion) {
    ObjectNode usage = JSON.createObjectNode();
    usage.put("prompt_tokens", prompt);
    usage.put("completion_tokens", completion);
    usage.put("total_tokens", prompt + completion);
    return usage;
  }

  private static ObjectNode extra() {
    ObjectNode extra = JSON.createObjectNode();
    extra.put("kept", true);
    return extra;
  }

  static ObjectNode chatCompletion(String id, long created, String model, String text, long prompt, long completion) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", id);
    root.put("object", "chat.completion");
    root.put("created", created);
    root.put("model", model);
    ObjectNode message = JSON.createObjectNode();
    message.put("role", "assistant");
    message.put("content", text);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("message", message);
    choice.putNull("logprobs");
    choice.put("finish_reason", "stop");
    root.set("usage", usage(prompt, completion));
    root.put("system_fingerprint", "fp_fake");
    root.set("x_provider_extra", extra());
    return root;
  }

  static ObjectNode chatChunk(String id, long created, String model, ObjectNode delta, String finishReason,
      boolean usageNull) {
    ObjectNode root = chunkHead(id, created, model, "chat.completion.chunk");
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("delta", delta);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    if (usageNull) {
      root.putNull("usage");
    }
    return root;
  }

  static ObjectNode usageChunk(String id, long created, String model, String object, long prompt, long completion) {
    ObjectNode root = chunkHead(id, created, model, object);
    root.putArray("choices");
    root.set("usage", usage(prompt, completion));
    return root;
  }

  private static ObjectNode chunkHead(String id, long created, String model, String object) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", id);
    root.put("object", object);
    root.put("created", created);
    root.put("model", model);
    root.put("system_fingerprint", "fp_fake");
    root.set("x_provider_extra", extra());
    return root;
  }

  static ObjectNode textCompletion(String id, long created, String model, String text, String finishReason,
      ObjectNode usage, boolean usageNull) {
    ObjectNode root = chunkHead(id, created, model, "text_completion");
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("text", text);
    choice.put("index", 0);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    if (usage != null) {
      root.set("usage", usage);
    } else if (usageNull) {
      root.putNull("usage");
    }
    return root;
  }

  static ObjectNode embeddings(String model, List<String> inputs, boolean base64) {
    ObjectNode root = JSON.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    long tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      ObjectNode item = data.addObject();
      item.put("object", "embedding");
      item.put("index", i);
      float[] vector = embedding(inputs.get(i));
      if (base64) {
        item.put("embedding", base64(vector));
      } else {
        ArrayNode floats = item.putArray("embedding");
        for (float f : vector) {
          floats.add(f);
        }
      }
      tokens += words(inputs.get(i));
    }
    root.put("model", model);
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", tokens);
    usage.put("total_tokens", tokens);
    return root;
  }

  static ObjectNode openAiModels(List<String> models) {
    ObjectNode root = JSON.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    for (String model : models) {
      ObjectNode item = data.addObject();
      item.put("id", model);
      item.put("object", "model");
      item.put("created", 1_700_000_000L);
      item.put("owned_by", "fake-upstream");
    }
    return root;
  }

  // ---- Anthropic ----

  static ObjectNode anthropicUsage(long input, long output) {
    ObjectNode usage = JSON.createObjectNode();
    usage.put("input_tokens", input);
    usage.put("output_tokens", output);
    return usage;
  }

  static ObjectNode anthropicMessage(String id, String model, String text, long input, long output) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", id);
    root.put("type", "message");
    root.put("role", "assistant");
    root.put("model", model);
    ObjectNode block = root.putArray("content").addObject();
    block.put("type", "text");
    block.put("text", text);
    root.put("stop_reason", "end_turn");
    root.putNull("stop_sequence");
    root.set("usage", anthropicUsage(input, output));
    root.set("x_provider_extra", extra());
    return root;
  }

  static ObjectNode anthropicModels(List<String> models) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode data = root.putArray("data");
    for (String model : models) {
      ObjectNode item = data.addObject();
      item.put("type", "model");
      item.put("id", model);
      item.put("display_name", model);
      item.put("created_at", "2024-01-01T00:00:00Z");
    }
    root.put("has_more", false);
    if (models.isEmpty()) {
      root.putNull("first_id");
      root.putNull("last_id");
    } else {
      root.put("first_id", models.get(0));
      root.put("last_id", models.get(models.size() - 1));
    }
    return root;
  }

  // ---- encoding ----

  static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String string(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An OpenAI-style server-sent event: {@code data: JSON}. */
  static byte[] data(JsonNode node) {
    return ("data: " + string(node) + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  /** An Anthropic-style server-sent event: {@code event: NAME} and {@code data: JSON}. */
  static byte[] event(String name, JsonNode node) {
    return ("event: " + name + "\ndata: " + string(node) + "\n\n").getBytes(StandardCharsets.UTF_8);
  }
}
