package com.neurasea.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.neurasea.model.NeuraSeaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Translates OpenAI chat-completions requests into Anthropic Messages API requests
 * ({@code POST /v1/messages}), and Anthropic replies back into OpenAI {@code chat.completion} objects.
 * Streamed replies are translated by {@link AnthropicStreamTranslator}.
 *
 * <p>Request mapping:
 * <ul>
 *   <li>{@code system} and {@code developer} messages, wherever they occur, become the top-level
 *       {@code system} string, joined with a blank line;
 *   <li>{@code user} and {@code assistant} messages become messages with content blocks: text parts
 *       (and assistant {@code refusal} parts) become {@code text} blocks, {@code image_url} parts
 *       {@code image} blocks (a base64 {@code data:} URL becomes a {@code base64} source with its media
 *       type, an http(s) URL a {@code url} source), assistant {@code tool_calls} {@code tool_use} blocks
 *       whose input is the parsed arguments object;
 *   <li>{@code tool} messages become {@code user} messages with one {@code tool_result} block each;
 *   <li>consecutive messages of the same Anthropic role are merged into one, since Anthropic requires
 *       the roles to alternate, and in a merged user message the {@code tool_result} blocks are moved
 *       in front of the other blocks, as Anthropic requires; empty text is dropped (Anthropic rejects
 *       empty text blocks) and a message left without any block is skipped;
 *   <li>{@code max_completion_tokens}, else {@code max_tokens}, else the configured default becomes
 *       {@code max_tokens}, which Anthropic requires;
 *   <li>{@code temperature} (capped at 1, Anthropic's maximum, where OpenAI allows up to 2) and
 *       {@code top_p} are passed through; {@code stop} becomes {@code stop_sequences};
 *   <li>{@code tools} of type {@code function} become tools with an {@code input_schema} (the
 *       parameters, or an empty object schema); {@code tool_choice} {@code auto}, {@code required},
 *       {@code none} and a named function become {@code auto}, {@code any}, {@code none} and
 *       {@code tool}; {@code parallel_tool_calls: false} becomes {@code disable_parallel_tool_use};
 *       without tools, {@code tool_choice} and {@code parallel_tool_calls} are dropped;
 *   <li>{@code user} becomes {@code metadata.user_id}; {@code stream} is set from the caller's choice.
 * </ul>
 *
 * <p>Refused, because they cannot be served faithfully: {@code n} other than 1, the deprecated
 * {@code functions} and {@code function_call}, content parts other than text, refusal and image (audio,
 * files), images in assistant messages and non-base64 or non-http(s) image URLs. Dropped, because
 * Anthropic has no equivalent and the reply is still a valid answer without them: {@code logprobs},
 * {@code top_logprobs}, {@code response_format}, {@code presence_penalty}, {@code frequency_penalty},
 * {@code logit_bias}, {@code seed}, {@code stream_options} (the caller handles usage reporting),
 * {@code store}, {@code metadata}, {@code service_tier}, {@code reasoning_effort}, {@code modalities},
 * {@code audio}, {@code prediction}, {@code web_search_options}, a tool's {@code strict}, an image's
 * {@code detail} and a message's {@code name}.
 */
final class AnthropicTranslator {
  /** Shared, thread-safe mapper for the Anthropic translators. */
  static final ObjectMapper MAPPER = new ObjectMapper();

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String UNREADABLE = "upstream returned an unreadable reply";

  /** A translated non-streamed reply and the token counts to meter. */
  record Reply(byte[] body, long promptTokens, long completionTokens, long cachedTokens) {}

  private AnthropicTranslator() {}

  /**
   * Builds the Anthropic Messages request for an OpenAI chat-completions request.
   *
   * @param openAiChatRequest the caller's request body
   * @param upstreamModel the model name to send upstream
   * @param stream whether to ask for a streamed reply
   * @param defaultMaxTokens the {@code max_tokens} to send when the caller set none
   * @return the JSON body for {@code POST /v1/messages}
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} when the request is malformed or cannot be served
   */
  static byte[] request(JsonNode openAiChatRequest, String upstreamModel, boolean stream, int defaultMaxTokens) {
    JsonNode in = openAiChatRequest;
    if (in == null || !in.isObject()) {
      throw NeuraSeaException.invalid("body", "must be a JSON object");
    }
    refuseUnservable(in);
    ObjectNode out = NODES.objectNode();
    out.put("model", upstreamModel);
    out.put("max_tokens", maxTokens(in, defaultMaxTokens));
    messages(in.get("messages"), out);
    JsonNode temperature = present(in, "temperature");
    if (temperature != null) {
      if (!temperature.isNumber()) {
        throw NeuraSeaException.invalid("temperature", "must be a number");
      }
      out.put("temperature", Math.min(temperature.asDouble(), 1.0));
    }
    JsonNode topP = present(in, "top_p");
    if (topP != null) {
      if (!topP.isNumber()) {
        throw NeuraSeaException.invalid("top_p", "must be a number");
      }
      out.set("top_p", topP);
    }
    stopSequences(present(in, "stop"), out);
    tools(in, out);
    JsonNode user = present(in, "user");
    if (user != null) {
      if (!user.isTextual()) {
        throw NeuraSeaException.invalid("user", "must be a string");
      }
      out.putObject("metadata").put("user_id", user.asText());
    }
    out.put("stream", stream);
    try {
      return MAPPER.writeValueAsBytes(out);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Translates a successful non-streamed Anthropic reply into an OpenAI {@code chat.completion}.
   *
   * @param anthropicBody the upstream's response body
   * @param model the model name the caller used
   * @param id the completion id to report
   * @param createdEpochSeconds the creation time to report
   * @return the OpenAI body and the token counts to meter: prompt tokens exclude cache reads, which are
   *     reported as cached tokens
   * @throws IllegalArgumentException with message "upstream returned an unreadable reply" when the body
   *     is not JSON or not a message
   */
  static Reply response(byte[] anthropicBody, String model, String id, long createdEpochSeconds) {
    JsonNode root = readObject(anthropicBody);
    JsonNode content = root == null ? null : root.get("content");
    if (content == null || !content.isArray()) {
      throw new IllegalArgumentException(UNREADABLE);
    }
    StringBuilder text = null;
    ArrayNode toolCalls = null;
    for (JsonNode block : content) {
      String type = block.path("type").asText();
      if (type.equals("text")) {
        if (text == null) {
          text = new StringBuilder();
        }
        text.append(block.path("text").asText());
      } else if (type.equals("tool_use")) {
        if (toolCalls == null) {
          toolCalls = NODES.arrayNode();
        }
        ObjectNode call = toolCalls.addObject();
        call.put("id", block.path("id").asText());
        call.put("type", "function");
        ObjectNode function = call.putObject("function");
        function.put("name", block.path("name").asText());
        JsonNode input = block.get("input");
        function.put("arguments", input == null || input.isNull() ? "{}" : input.toString());
      }
      // thinking, redacted_thinking and server tool blocks have no chat-completions equivalent
    }
    JsonNode usage = root.path("usage");
    long input = usage.path("input_tokens").asLong(0);
    long cacheCreation = usage.path("cache_creation_input_tokens").asLong(0);
    long cacheRead = usage.path("cache_read_input_tokens").asLong(0);
    long output = usage.path("output_tokens").asLong(0);

    ObjectNode out = NODES.objectNode();
    out.put("id", id);
    out.put("object", "chat.completion");
    out.put("created", createdEpochSeconds);
    out.put("model", model);
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    if (text == null && toolCalls != null) {
      message.putNull("content");
    } else {
      message.put("content", text == null ? "" : text.toString());
    }
    message.putNull("refusal");
    if (toolCalls != null) {
      message.set("tool_calls", toolCalls);
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(root.path("stop_reason").asText(null)));
    usage(out.putObject("usage"), input, cacheCreation, cacheRead, output);
    try {
      return new Reply(MAPPER.writeValueAsBytes(out), input + cacheCreation, output, cacheRead);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns the message of an Anthropic error body ({@code {"type":"error","error":{"type":…,"message":…}}}).
   *
   * @param anthropicErrorBody the upstream's error response body
   * @return {@code error.message}, or null when the body is not such an error
   */
  static String errorMessage(byte[] anthropicErrorBody) {
    JsonNode root;
    try {
      root = readObject(anthropicErrorBody);
    } catch (IllegalArgumentException e) {
      return null;
    }
    JsonNode message = root == null ? null : root.path("error").get("message");
    return message != null && message.isTextual() ? message.asText() : null;
  }

  /**
   * Maps an Anthropic {@code stop_reason} to an OpenAI {@code finish_reason}: {@code end_turn},
   * {@code stop_sequence} and {@code pause_turn} to {@code stop}, {@code max_tokens} and
   * {@code model_context_window_exceeded} to {@code length}, {@code tool_use} to {@code tool_calls},
   * {@code refusal} to {@code content_filter}; anything else, including none, to {@code stop}.
   */
  static String finishReason(String stopReason) {
    if (stopReason == null) {
      return "stop";
    }
    switch (stopReason) {
      case "max_tokens":
      case "model_context_window_exceeded":
        return "length";
      case "tool_use":
        return "tool_calls";
      case "refusal":
        return "content_filter";
      default:
        return "stop";
    }
  }

  /**
   * Fills an OpenAI {@code usage} object: prompt tokens include cache reads and writes, cache reads are
   * also reported as cached tokens.
   */
  static void usage(ObjectNode usage, long input, long cacheCreation, long cacheRead, long output) {
    long prompt = input + cacheCreation + cacheRead;
    usage.put("prompt_tokens", prompt);
    usage.put("completion_tokens", output);
    usage.put("total_tokens", prompt + output);
    usage.putObject("prompt_tokens_details").put("cached_tokens", cacheRead);
  }

  /** Parses a body that should be a JSON object; null when it is JSON but not an object. */
  private static JsonNode readObject(byte[] body) {
    if (body == null) {
      return null;
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException(UNREADABLE, e);
    }
    return root != null && root.isObject() ? root : null;
  }

  /** A member that is present and not JSON null, or null. */
  private static JsonNode present(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value;
  }

  /** Refuses the parameters whose meaning would be lost. */
  private static void refuseUnservable(JsonNode in) {
    JsonNode n = present(in, "n");
    if (n != null && !(n.isIntegralNumber() && n.asLong() == 1)) {
      throw NeuraSeaException.invalid("n", "only one choice can be generated by this model's upstream");
    }
    if (present(in, "functions") != null) {
      throw NeuraSeaException.invalid("functions", "is deprecated and not supported; use tools");
    }
    if (present(in, "function_call") != null) {
      throw NeuraSeaException.invalid("function_call", "is deprecated and not supported; use tool_choice");
    }
  }

  /** The {@code max_tokens} to send: {@code max_completion_tokens}, {@code max_tokens} or the default. */
  private static int maxTokens(JsonNode in, int defaultMaxTokens) {
    for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
      JsonNode value = present(in, field);
      if (value != null) {
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() <= 0) {
          throw NeuraSeaException.invalid(field, "must be a positive integer");
        }
        return value.asInt();
      }
    }
    return defaultMaxTokens;
  }

  /** Converts {@code messages} into Anthropic's {@code system} and alternating {@code messages}. */
  private static void messages(JsonNode messages, ObjectNode out) {
    if (messages == null || !messages.isArray()) {
      throw NeuraSeaException.invalid("messages", "must be an array");
    }
    StringBuilder system = null;
    ArrayNode result = NODES.arrayNode();
    String lastRole = null;
    ArrayNode lastContent = null;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      if (!message.isObject()) {
        throw invalidMessage(i, "must be an object");
      }
      JsonNode roleNode = message.get("role");
      if (roleNode == null || !roleNode.isTextual()) {
        throw invalidMessage(i, "has no role");
      }
      String role;
      List<ObjectNode> blocks;
      switch (roleNode.asText()) {
        case "system":
        case "developer":
          String text = systemText(present(message, "content"), i);
          if (!text.isEmpty()) {
            system = system == null ? new StringBuilder(text) : system.append("\n\n").append(text);
          }
          continue;
        case "user":
          role = "user";
          blocks = contentBlocks(present(message, "content"), i, true);
          break;
        case "assistant":
          role = "assistant";
          blocks = contentBlocks(present(message, "content"), i, false);
          toolUses(present(message, "tool_calls"), i, blocks);
          break;
        case "tool":
          role = "user";
          blocks = List.of(toolResult(message, i));
          break;
        default:
          throw invalidMessage(i, "has an unsupported role '" + roleNode.asText() + "'");
      }
      if (blocks.isEmpty()) {
        continue;
      }
      if (!role.equals(lastRole)) {
        ObjectNode anthropic = result.addObject();
        anthropic.put("role", role);
        lastContent = anthropic.putArray("content");
        lastRole = role;
      }
      lastContent.addAll(blocks);
    }
    if (result.isEmpty()) {
      throw NeuraSeaException.invalid("messages", "must contain at least one user or assistant message");
    }
    for (JsonNode message : result) {
      if (message.get("role").asText().equals("user")) {
        toolResultsFirst((ArrayNode) message.get("content"));
      }
    }
    if (system != null) {
      out.put("system", system.toString());
    }
    out.set("messages", result);
  }

  /** The text of a system or developer message: a string, or the concatenated text parts. */
  private static String systemText(JsonNode content, int index) {
    if (content == null) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (!content.isArray()) {
      throw invalidMessage(index, "content must be a string or an array of parts");
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      if (!part.path("type").asText().equals("text")) {
        throw invalidMessage(index, "a system message may only contain text parts");
      }
      text.append(partText(part, index));
    }
    return text.toString();
  }

  /** The content blocks of a user or assistant message's {@code content} (string, parts or absent). */
  private static List<ObjectNode> contentBlocks(JsonNode content, int index, boolean imagesAllowed) {
    List<ObjectNode> blocks = new ArrayList<>();
    if (content == null) {
      return blocks;
    }
    if (content.isTextual()) {
      addText(blocks, content.asText());
      return blocks;
    }
    if (!content.isArray()) {
      throw invalidMessage(index, "content must be a string or an array of parts");
    }
    for (JsonNode part : content) {
      String type = part.path("type").asText();
      switch (type) {
        case "text":
          addText(blocks, partText(part, index));
          break;
        case "refusal":
          if (imagesAllowed) {
            throw invalidMessage(index, "refusal parts are only allowed in assistant messages");
          }
          JsonNode refusal = part.get("refusal");
          if (refusal == null || !refusal.isTextual()) {
            throw invalidMessage(index, "a refusal part must have a string refusal");
          }
          addText(blocks, refusal.asText());
          break;
        case "image_url":
          if (!imagesAllowed) {
            throw invalidMessage(index, "images are only allowed in user messages");
          }
          blocks.add(image(part, index));
          break;
        default:
          throw invalidMessage(index, "content part type '" + type + "' is not supported by this model's upstream");
      }
    }
    return blocks;
  }

  private static String partText(JsonNode part, int index) {
    JsonNode text = part.get("text");
    if (text == null || !text.isTextual()) {
      throw invalidMessage(index, "a text part must have a string text");
    }
    return text.asText();
  }

  private static void addText(List<ObjectNode> blocks, String text) {
    if (!text.isEmpty()) {
      ObjectNode block = NODES.objectNode();
      block.put("type", "text");
      block.put("text", text);
      blocks.add(block);
    }
  }

  /** An {@code image} block for an {@code image_url} part: a base64 data URL or an http(s) URL. */
  private static ObjectNode image(JsonNode part, int index) {
    JsonNode imageUrl = part.get("image_url");
    JsonNode urlNode = imageUrl != null && imageUrl.isObject() ? imageUrl.get("url") : imageUrl;
    if (urlNode == null || !urlNode.isTextual()) {
      throw invalidMessage(index, "an image_url part must have a string url");
    }
    String url = urlNode.asText();
    ObjectNode block = NODES.objectNode();
    block.put("type", "image");
    ObjectNode source = block.putObject("source");
    if (url.regionMatches(true, 0, "data:", 0, 5)) {
      int comma = url.indexOf(',');
      String header = comma < 0 ? "" : url.substring(5, comma);
      if (comma < 0 || !header.toLowerCase(Locale.ROOT).endsWith(";base64")) {
        throw invalidMessage(index, "an image data URL must be base64-encoded");
      }
      int semicolon = header.indexOf(';');
      String mediaType = header.substring(0, semicolon).trim().toLowerCase(Locale.ROOT);
      if (mediaType.isEmpty()) {
        throw invalidMessage(index, "an image data URL must name its media type");
      }
      source.put("type", "base64");
      source.put("media_type", mediaType);
      source.put("data", url.substring(comma + 1));
    } else if (url.regionMatches(true, 0, "https://", 0, 8) || url.regionMatches(true, 0, "http://", 0, 7)) {
      source.put("type", "url");
      source.put("url", url);
    } else {
      throw invalidMessage(index, "an image URL must be an http(s) or base64 data URL");
    }
    return block;
  }

  /** Adds a {@code tool_use} block for each of an assistant message's {@code tool_calls}. */
  private static void toolUses(JsonNode toolCalls, int index, List<ObjectNode> blocks) {
    if (toolCalls == null) {
      return;
    }
    if (!toolCalls.isArray()) {
      throw invalidMessage(index, "tool_calls must be an array");
    }
    for (JsonNode call : toolCalls) {
      JsonNode id = call.get("id");
      JsonNode function = call.path("function");
      JsonNode name = function.get("name");
      if (id == null || !id.isTextual() || name == null || !name.isTextual()) {
        throw invalidMessage(index, "a tool call must have a string id and function.name");
      }
      JsonNode arguments = present(function, "arguments");
      JsonNode input;
      if (arguments == null || arguments.isTextual() && arguments.asText().isBlank()) {
        input = NODES.objectNode();
      } else if (!arguments.isTextual()) {
        throw invalidMessage(index, "tool call arguments must be a JSON string");
      } else {
        try {
          input = MAPPER.readTree(arguments.asText());
        } catch (IOException e) {
          throw invalidMessage(index, "tool call arguments are not valid JSON");
        }
        if (input == null || !input.isObject()) {
          throw invalidMessage(index, "tool call arguments must be a JSON object");
        }
      }
      ObjectNode block = NODES.objectNode();
      block.put("type", "tool_use");
      block.put("id", id.asText());
      block.put("name", name.asText());
      block.set("input", input);
      blocks.add(block);
    }
  }

  /** The {@code tool_result} block of a {@code tool} message. */
  private static ObjectNode toolResult(JsonNode message, int index) {
    JsonNode toolCallId = message.get("tool_call_id");
    if (toolCallId == null || !toolCallId.isTextual()) {
      throw invalidMessage(index, "a tool message must have a string tool_call_id");
    }
    ObjectNode block = NODES.objectNode();
    block.put("type", "tool_result");
    block.put("tool_use_id", toolCallId.asText());
    JsonNode content = present(message, "content");
    if (content == null || content.isTextual() && content.asText().isEmpty()) {
      return block;
    }
    if (content.isTextual()) {
      block.put("content", content.asText());
      return block;
    }
    if (!content.isArray()) {
      throw invalidMessage(index, "content must be a string or an array of parts");
    }
    List<ObjectNode> parts = new ArrayList<>();
    for (JsonNode part : content) {
      if (!part.path("type").asText().equals("text")) {
        throw invalidMessage(index, "a tool message may only contain text parts");
      }
      addText(parts, partText(part, index));
    }
    if (!parts.isEmpty()) {
      block.putArray("content").addAll(parts);
    }
    return block;
  }

  /** Moves the {@code tool_result} blocks of a user message in front of its other blocks, keeping order. */
  private static void toolResultsFirst(ArrayNode content) {
    List<JsonNode> results = new ArrayList<>();
    List<JsonNode> others = new ArrayList<>();
    for (JsonNode block : content) {
      (block.path("type").asText().equals("tool_result") ? results : others).add(block);
    }
    if (results.isEmpty() || others.isEmpty()) {
      return;
    }
    content.removeAll();
    content.addAll(results);
    content.addAll(others);
  }

  /** Converts {@code stop} (a string or an array of strings) into {@code stop_sequences}. */
  private static void stopSequences(JsonNode stop, ObjectNode out) {
    if (stop == null) {
      return;
    }
    ArrayNode sequences = NODES.arrayNode();
    if (stop.isTextual()) {
      sequences.add(stop.asText());
    } else if (stop.isArray()) {
      for (JsonNode sequence : stop) {
        if (!sequence.isTextual()) {
          throw NeuraSeaException.invalid("stop", "must be a string or an array of strings");
        }
        sequences.add(sequence.asText());
      }
    } else {
      throw NeuraSeaException.invalid("stop", "must be a string or an array of strings");
    }
    if (!sequences.isEmpty()) {
      out.set("stop_sequences", sequences);
    }
  }

  /** Converts {@code tools}, {@code tool_choice} and {@code parallel_tool_calls}. */
  private static void tools(JsonNode in, ObjectNode out) {
    JsonNode tools = present(in, "tools");
    if (tools == null) {
      return;
    }
    if (!tools.isArray()) {
      throw NeuraSeaException.invalid("tools", "must be an array");
    }
    if (tools.isEmpty()) {
      return;
    }
    ArrayNode converted = out.putArray("tools");
    for (JsonNode tool : tools) {
      if (!tool.path("type").asText("function").equals("function")) {
        throw NeuraSeaException.invalid("tools", "only tools of type function are supported by this model's upstream");
      }
      JsonNode function = tool.path("function");
      JsonNode name = function.get("name");
      if (name == null || !name.isTextual()) {
        throw NeuraSeaException.invalid("tools", "a function tool must have a string function.name");
      }
      ObjectNode anthropic = converted.addObject();
      anthropic.put("name", name.asText());
      JsonNode description = present(function, "description");
      if (description != null) {
        anthropic.put("description", description.asText());
      }
      JsonNode parameters = present(function, "parameters");
      if (parameters == null) {
        ObjectNode schema = anthropic.putObject("input_schema");
        schema.put("type", "object");
        schema.putObject("properties");
      } else if (parameters.isObject()) {
        anthropic.set("input_schema", parameters);
      } else {
        throw NeuraSeaException.invalid("tools", "function.parameters must be a JSON schema object");
      }
    }
    ObjectNode choice = toolChoice(present(in, "tool_choice"));
    JsonNode parallel = present(in, "parallel_tool_calls");
    if (parallel != null && !parallel.isBoolean()) {
      throw NeuraSeaException.invalid("parallel_tool_calls", "must be a boolean");
    }
    if (parallel != null && !parallel.asBoolean()) {
      if (choice == null) {
        choice = NODES.objectNode().put("type", "auto");
      }
      if (!choice.get("type").asText().equals("none")) {
        choice.put("disable_parallel_tool_use", true);
      }
    }
    if (choice != null) {
      out.set("tool_choice", choice);
    }
  }

  /** Converts {@code tool_choice}; null when absent. */
  private static ObjectNode toolChoice(JsonNode toolChoice) {
    if (toolChoice == null) {
      return null;
    }
    ObjectNode choice = NODES.objectNode();
    if (toolChoice.isTextual()) {
      switch (toolChoice.asText()) {
        case "auto":
          return choice.put("type", "auto");
        case "required":
          return choice.put("type", "any");
        case "none":
          return choice.put("type", "none");
        default:
          throw NeuraSeaException.invalid("tool_choice", "must be auto, required, none or a function");
      }
    }
    JsonNode name = toolChoice.path("function").get("name");
    if (!toolChoice.path("type").asText().equals("function") || name == null || !name.isTextual()) {
      throw NeuraSeaException.invalid("tool_choice", "must be auto, required, none or a function");
    }
    return choice.put("type", "tool").put("name", name.asText());
  }

  private static NeuraSeaException invalidMessage(int index, String problem) {
    return NeuraSeaException.invalid("messages", "message " + index + " " + problem);
  }
}
