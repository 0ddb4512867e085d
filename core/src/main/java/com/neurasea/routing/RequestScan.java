package com.neurasea.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What the gateway needs from a request body, read with a streaming parser that skips everything
 * else (the rest passes through untouched): the model and where its value lies, {@code stream},
 * {@code stream_options.include_usage}, the output limit and {@code n}.
 */
final class RequestScan {
  static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .build();
  /** Trees keep numbers exactly as written (big decimals), so a rewritten body changes nothing else. */
  static final ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder(JSON)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
      .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true)).build();
  private static final byte[] INCLUDE_USAGE = "\"stream_options\":{\"include_usage\":true},"
      .getBytes(StandardCharsets.US_ASCII);

  final byte[] body;
  String model;
  int modelStart = -1;
  int modelEnd = -1;
  int objectStart = -1;
  boolean stream;
  boolean hasStreamOptions;
  boolean includeUsage;
  long maxTokens = -1;
  int n = 1;

  private RequestScan(byte[] body) {
    this.body = body;
  }

  /**
   * Scans a body.
   *
   * @throws GatewayFailure for malformed JSON, a missing or
   *     non-string model, or bad {@code stream}, {@code max_tokens} or {@code n} values
   */
  static RequestScan of(byte[] body) {
    RequestScan scan = new RequestScan(body);
    // A member the gateway reads may appear once: with two, the gateway and the provider could read
    // different ones (check one model, serve another). Other members pass through as sent.
    int seen = 0;
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new GatewayFailure(OpenAiErrors.invalid(null, "the request body must be a JSON object"));
      }
      scan.objectStart = (int) p.currentTokenLocation().getByteOffset();
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        int bit = switch (name) {
          case "model" -> 1;
          case "stream" -> 2;
          case "stream_options" -> 4;
          case "max_tokens" -> 8;
          case "max_completion_tokens" -> 16;
          case "n" -> 32;
          default -> 0;
        };
        if ((seen & bit) != 0) {
          throw new GatewayFailure(OpenAiErrors.invalid(name, "the member '" + name + "' appears twice"));
        }
        seen |= bit;
        JsonToken value = p.nextToken();
        switch (name) {
          case "model" -> {
            if (value != JsonToken.VALUE_STRING) {
              throw new GatewayFailure(OpenAiErrors.invalid("model", "model must be a string"));
            }
            scan.modelStart = (int) p.currentTokenLocation().getByteOffset();
            scan.model = p.getText();
            scan.modelEnd = (int) p.currentLocation().getByteOffset();
          }
          case "stream" -> {
            if (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE) {
              scan.stream = value == JsonToken.VALUE_TRUE;
            } else if (value != JsonToken.VALUE_NULL) {
              throw new GatewayFailure(OpenAiErrors.invalid("stream", "stream must be a boolean"));
            }
          }
          case "stream_options" -> {
            scan.hasStreamOptions = true;
            if (value == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String option = p.currentName();
                JsonToken v = p.nextToken();
                if (option.equals("include_usage")) {
                  if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                    throw new GatewayFailure(OpenAiErrors.invalid("stream_options",
                        "stream_options.include_usage must be a boolean"));
                  }
                  scan.includeUsage = v == JsonToken.VALUE_TRUE;
                } else {
                  p.skipChildren();
                }
              }
            } else if (value != JsonToken.VALUE_NULL) {
              throw new GatewayFailure(OpenAiErrors.invalid("stream_options", "stream_options must be an object"));
            }
          }
          case "max_tokens", "max_completion_tokens" -> {
            if (value == JsonToken.VALUE_NUMBER_INT) {
              long max = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? Long.MAX_VALUE : p.getLongValue();
              if (max < 1 || max > 10_000_000) {
                throw new GatewayFailure(OpenAiErrors.invalid(name, name + " must be between 1 and 10000000"));
              }
              scan.maxTokens = max;
            } else if (value != JsonToken.VALUE_NULL) {
              throw new GatewayFailure(OpenAiErrors.invalid(name, name + " must be an integer"));
            }
          }
          case "n" -> {
            if (value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                && p.getIntValue() >= 1 && p.getIntValue() <= 128) {
              scan.n = p.getIntValue();
            } else if (value != JsonToken.VALUE_NULL) {
              throw new GatewayFailure(OpenAiErrors.invalid("n", "n must be an integer between 1 and 128"));
            }
          }
          default -> p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new GatewayFailure(OpenAiErrors.invalid(null, "the request body must be one JSON object"));
      }
    } catch (JsonProcessingException e) {
      throw new GatewayFailure(OpenAiErrors.invalid(null, "the request body is not valid JSON: "
          + e.getOriginalMessage()));
    } catch (IOException e) {
      throw new GatewayFailure(OpenAiErrors.invalid(null, "the request body cannot be read"));
    }
    if (scan.model == null) {
      throw new GatewayFailure(OpenAiErrors.invalid("model", "you must provide a model parameter"));
    }
    return scan;
  }

  /**
   * The body to send upstream: the model renamed when the channel calls it otherwise, and for a
   * stream {@code stream_options.include_usage} switched on so the provider reports usage.
   */
  byte[] forUpstream(String upstreamModel, boolean renameModel) {
    boolean rename = renameModel && !upstreamModel.equals(model);
    boolean addUsage = stream && !includeUsage;
    if (!rename && !addUsage) {
      return body;
    }
    if (addUsage && hasStreamOptions) {
      return viaTree(upstreamModel, rename);
    }
    byte[] quoted = rename ? quote(upstreamModel) : null;
    int extra = (addUsage ? INCLUDE_USAGE.length : 0) + (rename ? quoted.length - (modelEnd - modelStart) : 0);
    byte[] out = new byte[body.length + extra];
    int in = 0;
    int o = 0;
    if (addUsage) {
      int cut = objectStart + 1;
      System.arraycopy(body, 0, out, 0, cut);
      o = cut;
      in = cut;
      System.arraycopy(INCLUDE_USAGE, 0, out, o, INCLUDE_USAGE.length);
      o += INCLUDE_USAGE.length;
    }
    if (rename) {
      System.arraycopy(body, in, out, o, modelStart - in);
      o += modelStart - in;
      System.arraycopy(quoted, 0, out, o, quoted.length);
      o += quoted.length;
      in = modelEnd;
    }
    System.arraycopy(body, in, out, o, body.length - in);
    return out;
  }

  private byte[] viaTree(String upstreamModel, boolean rename) {
    try {
      ObjectNode tree = (ObjectNode) MAPPER.readTree(body);
      if (rename) {
        tree.put("model", upstreamModel);
      }
      ObjectNode options = tree.get("stream_options") instanceof ObjectNode o ? o : tree.putObject("stream_options");
      options.put("include_usage", true);
      return MAPPER.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new GatewayFailure(OpenAiErrors.invalid(null, "the request body cannot be read"));
    }
  }

  private static byte[] quote(String text) {
    try {
      return MAPPER.writeValueAsBytes(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
