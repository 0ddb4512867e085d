package com.neurasea.routing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The usage an OpenAI-style reply or stream chunk reports ({@code usage.prompt_tokens},
 * {@code completion_tokens}, {@code prompt_tokens_details.cached_tokens}), read with a streaming
 * parser; also notes delivered text and an {@code error} member for stream chunks.
 */
final class ReplyUsage {
  long promptTokens = -1;
  long completionTokens;
  long cachedTokens;
  boolean error;
  boolean emptyChoices;
  boolean hasChoices;

  boolean known() {
    return promptTokens >= 0;
  }

  /**
   * Reads a JSON object; delivered text (choice deltas, message content or completion text) is
   * appended to {@code text} when it is not null.
   *
   * @throws IOException when the bytes are not one JSON object
   */
  static ReplyUsage read(byte[] json, int offset, int length, StringBuilder text) throws IOException {
    ReplyUsage usage = new ReplyUsage();
    try (JsonParser p = RequestScan.JSON.createParser(json, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals("usage") && value == JsonToken.START_OBJECT) {
          readUsage(p, usage);
        } else if (name.equals("error") && value != JsonToken.VALUE_NULL) {
          usage.error = true;
          p.skipChildren();
        } else if (name.equals("choices") && value == JsonToken.START_ARRAY) {
          usage.hasChoices = true;
          usage.emptyChoices = true;
          while (p.nextToken() != JsonToken.END_ARRAY) {
            usage.emptyChoices = false;
            readChoice(p, text);
          }
        } else {
          p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw new IOException("truncated JSON");
      }
    }
    return usage;
  }

  private static void readUsage(JsonParser p, ReplyUsage usage) throws IOException {
    long prompt = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      switch (field) {
        case "prompt_tokens" -> prompt = v == JsonToken.VALUE_NUMBER_INT ? Math.max(0, p.getLongValue()) : 0;
        case "completion_tokens" -> usage.completionTokens =
            v == JsonToken.VALUE_NUMBER_INT ? Math.max(0, p.getLongValue()) : 0;
        case "prompt_tokens_details" -> {
          if (v == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String detail = p.currentName();
              JsonToken dv = p.nextToken();
              if (detail.equals("cached_tokens") && dv == JsonToken.VALUE_NUMBER_INT) {
                usage.cachedTokens = Math.max(0, p.getLongValue());
              } else {
                p.skipChildren();
              }
            }
          } else {
            p.skipChildren();
          }
        }
        default -> p.skipChildren();
      }
    }
    usage.cachedTokens = Math.min(usage.cachedTokens, prompt);
    usage.promptTokens = prompt - usage.cachedTokens;
  }

  private static void readChoice(JsonParser p, StringBuilder text) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT || text == null) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      if ((field.equals("delta") || field.equals("message")) && v == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String inner = p.currentName();
          JsonToken iv = p.nextToken();
          if (inner.equals("content") && iv == JsonToken.VALUE_STRING) {
            text.append(p.getText());
          } else if (inner.equals("tool_calls") && iv == JsonToken.START_ARRAY) {
            appendArguments(p, text);
          } else {
            p.skipChildren();
          }
        }
      } else if (field.equals("text") && v == JsonToken.VALUE_STRING) {
        text.append(p.getText());
      } else {
        p.skipChildren();
      }
    }
  }

  private static void appendArguments(JsonParser p, StringBuilder text) throws IOException {
    int depth = 1;
    while (depth > 0) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return;
      }
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        depth++;
      } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
        depth--;
      } else if (t == JsonToken.VALUE_STRING && ("arguments".equals(p.currentName())
          || "name".equals(p.currentName()))) {
        text.append(p.getText());
      }
    }
  }
}
