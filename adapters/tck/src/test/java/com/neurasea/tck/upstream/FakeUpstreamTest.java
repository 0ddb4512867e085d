package com.neurasea.tck.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.neurasea.tck.upstream.FakeUpstream.Wire;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FakeUpstreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private static final String CHAT = "{\"model\":\"gpt-4o\",\"temperature\":0.5,\"x_unknown\":{\"a\":1},\"messages\":["
      + "{\"role\":\"system\",\"content\":\"You are terse\"},"
      + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello there\"},"
      + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}},{\"type\":\"text\",\"text\":\"world\"}]},"
      + "{\"role\":\"assistant\",\"content\":\"ok\"},"
      + "{\"role\":\"user\",\"content\":\"say hi please\"}]}";

  private FakeUpstream upstream;

  @AfterEach
  void closeUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  // ---- the deterministic rule ----

  @Test
  void theTokenRuleCountsWordsOfAllContentsAndEchoesTheLastUserMessage() {
    assertThat(FakeUpstream.promptTokensOf(CHAT)).isEqualTo(3 + 3 + 1 + 3);
    assertThat(FakeUpstream.completionOf(CHAT)).isEqualTo("echo: say hi please");
    assertThat(FakeUpstream.completionTokensOf(CHAT)).isEqualTo(4);
    assertThat(FakeUpstream.completionPiecesOf(CHAT)).containsExactly("echo: ", "say ", "hi ", "please");

    String parts = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a b\"},"
        + "{\"type\":\"text\",\"text\":\"c\"}]}]}";
    assertThat(FakeUpstream.completionOf(parts)).isEqualTo("echo: a b c");
    assertThat(FakeUpstream.promptTokensOf(parts)).isEqualTo(3);

    String anthropic = "{\"model\":\"claude\",\"max_tokens\":10,\"system\":\"be brief now\","
        + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"one two\"}]}]}";
    assertThat(FakeUpstream.promptTokensOf(anthropic)).isEqualTo(5);
    assertThat(FakeUpstream.completionOf(anthropic)).isEqualTo("echo: one two");

    assertThat(FakeUpstream.promptTokensOf("{\"model\":\"m\",\"prompt\":\"once upon a time\"}")).isEqualTo(4);
    assertThat(FakeUpstream.completionOf("{\"model\":\"m\",\"prompt\":\"once upon\"}")).isEqualTo("echo: once upon");
    assertThat(FakeUpstream.promptTokensOf("{\"model\":\"m\",\"input\":[\"a b\",\"c\"]}")).isEqualTo(3);
    assertThat(FakeUpstream.completionTokensOf("{\"model\":\"m\",\"input\":\"a\"}")).isZero();
    assertThat(FakeUpstream.completionOf("{\"model\":\"m\",\"messages\":[]}")).isEqualTo("echo: ");
    assertThat(FakeUpstream.completionTokensOf("{\"model\":\"m\",\"messages\":[]}")).isEqualTo(1);
  }

  // ---- OpenAI ----

  @Test
  void openAiChatAnswersDeterministicallyAndRecordsTheRequest() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI).expectKey("sk-test");
    HttpResponse<String> response = post("/v1/chat/completions", CHAT, "Authorization", "Bearer sk-test",
        "X-Custom", "yes");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode reply = JSON.readTree(response.body());
    assertThat(reply.path("id").asText()).startsWith("chatcmpl-fake-");
    assertThat(reply.path("object").asText()).isEqualTo("chat.completion");
    assertThat(reply.path("created").asLong()).isPositive();
    assertThat(reply.path("model").asText()).isEqualTo("gpt-4o");
    JsonNode choice = reply.path("choices").get(0);
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").path("content").asText()).isEqualTo("echo: say hi please");
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(reply.path("usage").path("prompt_tokens").asLong()).isEqualTo(10);
    assertThat(reply.path("usage").path("completion_tokens").asLong()).isEqualTo(4);
    assertThat(reply.path("usage").path("total_tokens").asLong()).isEqualTo(14);
    assertThat(reply.path("system_fingerprint").asText()).isEqualTo("fp_fake");
    assertThat(reply.path("x_provider_extra").path("kept").asBoolean()).isTrue();

    assertThat(upstream.requests()).isEqualTo(1);
    Received received = upstream.lastReceived();
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.target()).isEqualTo("/v1/chat/completions");
    assertThat(received.header("Authorization")).isEqualTo("Bearer sk-test");
    assertThat(received.headers()).containsEntry("x-custom", "yes");
    assertThat(received.body()).isEqualTo(CHAT);
    assertThat(received.json().path("x_unknown").path("a").asInt()).isEqualTo(1);
  }

  @Test
  void openAiChatStreamsOneChunkPerWordThenUsageAndDone() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI);
    String body = CHAT.replace("\"temperature\":0.5", "\"stream\":true,\"stream_options\":{\"include_usage\":true}");
    HttpResponse<String> response = post("/v1/chat/completions", body);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    List<String> data = dataLines(response.body());
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    List<JsonNode> chunks = parse(data.subList(0, data.size() - 1));
    List<String> pieces = FakeUpstream.completionPiecesOf(body);
    assertThat(chunks).hasSize(pieces.size() + 2);
    assertThat(chunks.get(0).path("choices").get(0).path("delta").path("role").asText()).isEqualTo("assistant");
    StringBuilder text = new StringBuilder();
    for (JsonNode chunk : chunks.subList(0, pieces.size())) {
      assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(chunk.path("model").asText()).isEqualTo("gpt-4o");
      assertThat(chunk.has("usage")).isTrue();
      assertThat(chunk.path("usage").isNull()).isTrue();
      text.append(chunk.path("choices").get(0).path("delta").path("content").asText());
    }
    assertThat(text.toString()).isEqualTo(FakeUpstream.completionOf(body));
    JsonNode finish = chunks.get(pieces.size());
    assertThat(finish.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = chunks.get(pieces.size() + 1);
    assertThat(usage.path("choices").isArray()).isTrue();
    assertThat(usage.path("choices")).isEmpty();
    assertThat(usage.path("usage").path("prompt_tokens").asLong()).isEqualTo(FakeUpstream.promptTokensOf(body));
    assertThat(usage.path("usage").path("completion_tokens").asLong())
        .isEqualTo(FakeUpstream.completionTokensOf(body));
  }

  @Test
  void openAiChatStreamWithoutIncludeUsageHasNoUsage() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI);
    String body = CHAT.replace("\"temperature\":0.5", "\"stream\":true");
    List<String> data = dataLines(post("/v1/chat/completions", body).body());
    assertThat(data).last().isEqualTo("[DONE]");
    List<JsonNode> chunks = parse(data.subList(0, data.size() - 1));
    assertThat(chunks).hasSize(FakeUpstream.completionPiecesOf(body).size() + 1);
    assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.has("usage")).isFalse());
  }

  @Test
  void openAiTextCompletionsEmbeddingsAndModels() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI);
    String completion = "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"once upon a time\"}";
    JsonNode reply = JSON.readTree(post("/v1/completions", completion).body());
    assertThat(reply.path("object").asText()).isEqualTo("text_completion");
    assertThat(reply.path("choices").get(0).path("text").asText()).isEqualTo("echo: once upon a time");
    assertThat(reply.path("usage").path("prompt_tokens").asLong()).isEqualTo(4);
    assertThat(reply.path("usage").path("completion_tokens").asLong()).isEqualTo(5);

    String streamed = completion.replace("}", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    List<String> data = dataLines(post("/v1/completions", streamed).body());
    assertThat(data).last().isEqualTo("[DONE]");
    List<JsonNode> chunks = parse(data.subList(0, data.size() - 1));
    assertThat(chunks).hasSize(5 + 2);
    assertThat(chunks.subList(0, 5).stream().map(c -> c.path("choices").get(0).path("text").asText())
        .collect(Collectors.joining())).isEqualTo("echo: once upon a time");
    assertThat(chunks.get(0).path("object").asText()).isEqualTo("text_completion");
    assertThat(chunks.get(5).path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    assertThat(chunks.get(6).path("usage").path("total_tokens").asLong()).isEqualTo(9);

    JsonNode embeddings = JSON.readTree(post("/v1/embeddings",
        "{\"model\":\"text-embedding-3-small\",\"input\":[\"hello world\",\"bye\"]}").body());
    assertThat(embeddings.path("object").asText()).isEqualTo("list");
    assertThat(embeddings.path("model").asText()).isEqualTo("text-embedding-3-small");
    assertThat(embeddings.path("data")).hasSize(2);
    assertThat(embeddings.path("data").get(1).path("index").asInt()).isEqualTo(1);
    assertThat(embeddings.path("usage").path("prompt_tokens").asLong()).isEqualTo(3);
    assertThat(embeddings.path("usage").path("total_tokens").asLong()).isEqualTo(3);
    JsonNode vector = embeddings.path("data").get(0).path("embedding");
    float[] expected = FakeUpstream.embeddingOf("hello world");
    assertThat(vector).hasSize(8);
    for (int i = 0; i < 8; i++) {
      assertThat(vector.get(i).floatValue()).isEqualTo(expected[i]);
    }

    JsonNode base64 = JSON.readTree(post("/v1/embeddings",
        "{\"model\":\"e\",\"input\":\"bye\",\"encoding_format\":\"base64\"}").body());
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64.path("data").get(0).path("embedding")
        .asText())).order(ByteOrder.LITTLE_ENDIAN);
    float[] bye = FakeUpstream.embeddingOf("bye");
    assertThat(bytes.remaining()).isEqualTo(32);
    for (float f : bye) {
      assertThat(bytes.getFloat()).isEqualTo(f);
    }

    JsonNode none = JSON.readTree(get("/v1/models").body());
    assertThat(none.path("object").asText()).isEqualTo("list");
    assertThat(none.path("data")).isEmpty();
    upstream.models("gpt-4o", "gpt-4o-mini");
    JsonNode models = JSON.readTree(get("/v1/models").body());
    assertThat(models.path("data").get(1).path("id").asText()).isEqualTo("gpt-4o-mini");
    assertThat(models.path("data").get(0).path("object").asText()).isEqualTo("model");
  }

  @Test
  void openAiRejectsMissingOrWrongKeysMalformedJsonAndUnknownPaths() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI).expectKey("sk-right");
    HttpResponse<String> missing = post("/v1/chat/completions", CHAT);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(missing.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
    HttpResponse<String> wrong = post("/v1/chat/completions", CHAT, "Authorization", "Bearer sk-wrong");
    assertThat(wrong.statusCode()).isEqualTo(401);
    JsonNode error = JSON.readTree(wrong.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("invalid_api_key");
    assertThat(error.has("message")).isTrue();
    assertThat(error.has("param")).isTrue();

    HttpResponse<String> malformed = post("/v1/chat/completions", "{\"model\":", "Authorization", "Bearer sk-right");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(malformed.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
    HttpResponse<String> noModel = post("/v1/chat/completions", "{\"messages\":[]}", "Authorization", "Bearer sk-right");
    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noModel.body()).path("error").path("param").asText()).isEqualTo("model");
    HttpResponse<String> unknown = post("/v1/nothing", "{}", "Authorization", "Bearer sk-right");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).path("error").has("message")).isTrue();
    assertThat(upstream.requests()).isEqualTo(5);
  }

  // ---- Azure ----

  @Test
  void azureServesDeploymentsWithApiKeyAndApiVersion() throws Exception {
    upstream = FakeUpstream.start(Wire.AZURE).expectKey("azure-key");
    String path = "/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21";
    String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}";
    HttpResponse<String> ok = post(path, body, "api-key", "azure-key");
    assertThat(ok.statusCode()).isEqualTo(200);
    JsonNode reply = JSON.readTree(ok.body());
    assertThat(reply.path("model").asText()).isEqualTo("my-gpt");
    assertThat(reply.path("choices").get(0).path("message").path("content").asText()).isEqualTo("echo: hi there");
    assertThat(upstream.lastReceived().path()).isEqualTo("/openai/deployments/my-gpt/chat/completions");
    assertThat(upstream.lastReceived().query()).isEqualTo("api-version=2024-10-21");

    List<String> data = dataLines(post(path, body.replace("}]}", "}],\"stream\":true}"), "api-key", "azure-key")
        .body());
    assertThat(data).last().isEqualTo("[DONE]");
    assertThat(JSON.readTree(data.get(0)).path("model").asText()).isEqualTo("my-gpt");

    HttpResponse<String> noVersion = post("/openai/deployments/my-gpt/chat/completions", body, "api-key", "azure-key");
    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noVersion.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");

    HttpResponse<String> wrongKey = post(path, body, "api-key", "nope");
    assertThat(wrongKey.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(wrongKey.body()).path("error").path("code").asText()).isEqualTo("401");
    assertThat(post(path, body, "Authorization", "Bearer azure-key").statusCode()).isEqualTo(401);

    HttpResponse<String> embeddings = post("/openai/deployments/emb/embeddings?api-version=2024-10-21",
        "{\"input\":\"abc\"}", "api-key", "azure-key");
    assertThat(embeddings.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(embeddings.body()).path("model").asText()).isEqualTo("emb");

    assertThat(post(path, "not json", "api-key", "azure-key").statusCode()).isEqualTo(400);
    assertThat(post("/v1/chat/completions", body, "api-key", "azure-key").statusCode()).isEqualTo(404);
  }

  // ---- Anthropic ----

  private static final String MESSAGES = "{\"model\":\"claude-sonnet-4\",\"max_tokens\":100,\"system\":\"be brief\","
      + "\"messages\":[{\"role\":\"user\",\"content\":\"first question\"},{\"role\":\"assistant\",\"content\":"
      + "[{\"type\":\"text\",\"text\":\"an answer\"}]},{\"role\":\"user\",\"content\":[{\"type\":\"text\","
      + "\"text\":\"tell me more\"}]}]}";

  @Test
  void anthropicAnswersMessages() throws Exception {
    upstream = FakeUpstream.start(Wire.ANTHROPIC).expectKey("ant-key");
    HttpResponse<String> response = post("/v1/messages", MESSAGES, "x-api-key", "ant-key",
        "anthropic-version", "2023-06-01");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode reply = JSON.readTree(response.body());
    assertThat(reply.path("id").asText()).startsWith("msg_fake_");
    assertThat(reply.path("type").asText()).isEqualTo("message");
    assertThat(reply.path("role").asText()).isEqualTo("assistant");
    assertThat(reply.path("model").asText()).isEqualTo("claude-sonnet-4");
    assertThat(reply.path("content").get(0).path("type").asText()).isEqualTo("text");
    assertThat(reply.path("content").get(0).path("text").asText()).isEqualTo("echo: tell me more");
    assertThat(reply.path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(reply.path("usage").path("input_tokens").asLong()).isEqualTo(2 + 2 + 2 + 3);
    assertThat(reply.path("usage").path("output_tokens").asLong()).isEqualTo(4);
    assertThat(reply.path("x_provider_extra").path("kept").asBoolean()).isTrue();
  }

  @Test
  void anthropicStreamsTheEventSequence() throws Exception {
    upstream = FakeUpstream.start(Wire.ANTHROPIC);
    String body = MESSAGES.replace("\"max_tokens\":100", "\"max_tokens\":100,\"stream\":true");
    HttpResponse<String> response = post("/v1/messages", body, "anthropic-version", "2023-06-01");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    List<String[]> events = events(response.body());
    assertThat(events.stream().map(e -> e[0])).containsExactly("message_start", "content_block_start", "ping",
        "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta",
        "content_block_stop", "message_delta", "message_stop");
    JsonNode start = JSON.readTree(events.get(0)[1]);
    assertThat(start.path("message").path("usage").path("input_tokens").asLong()).isEqualTo(9);
    assertThat(start.path("message").path("usage").path("output_tokens").asLong()).isEqualTo(1);
    assertThat(start.path("message").path("model").asText()).isEqualTo("claude-sonnet-4");
    assertThat(JSON.readTree(events.get(1)[1]).path("content_block").path("text").asText()).isEmpty();
    StringBuilder text = new StringBuilder();
    for (String[] event : events.subList(3, 7)) {
      JsonNode delta = JSON.readTree(event[1]);
      assertThat(delta.path("type").asText()).isEqualTo(event[0]);
      assertThat(delta.path("delta").path("type").asText()).isEqualTo("text_delta");
      text.append(delta.path("delta").path("text").asText());
    }
    assertThat(text.toString()).isEqualTo("echo: tell me more");
    JsonNode messageDelta = JSON.readTree(events.get(8)[1]);
    assertThat(messageDelta.path("delta").path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(messageDelta.path("usage").path("output_tokens").asLong()).isEqualTo(4);
  }

  @Test
  void anthropicRejectsMissingKeyVersionMaxTokensAndMalformedJson() throws Exception {
    upstream = FakeUpstream.start(Wire.ANTHROPIC).expectKey("ant-key");
    HttpResponse<String> noKey = post("/v1/messages", MESSAGES, "anthropic-version", "2023-06-01");
    assertThat(noKey.statusCode()).isEqualTo(401);
    JsonNode error = JSON.readTree(noKey.body());
    assertThat(error.path("type").asText()).isEqualTo("error");
    assertThat(error.path("error").path("type").asText()).isEqualTo("authentication_error");
    assertThat(post("/v1/messages", MESSAGES, "x-api-key", "bad", "anthropic-version", "2023-06-01").statusCode())
        .isEqualTo(401);

    HttpResponse<String> noVersion = post("/v1/messages", MESSAGES, "x-api-key", "ant-key");
    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noVersion.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");

    HttpResponse<String> noMaxTokens = post("/v1/messages", MESSAGES.replace("\"max_tokens\":100,", ""),
        "x-api-key", "ant-key", "anthropic-version", "2023-06-01");
    assertThat(noMaxTokens.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noMaxTokens.body()).path("error").path("message").asText()).contains("max_tokens");

    HttpResponse<String> malformed = post("/v1/messages", "{oops", "x-api-key", "ant-key",
        "anthropic-version", "2023-06-01");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(malformed.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
  }

  // ---- behaviours ----

  @Test
  void statusRepliesUseEachProvidersShapeAndRetryAfter() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI).behave(Behavior.status(429, "7"));
    HttpResponse<String> limited = post("/v1/chat/completions", CHAT);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("retry-after")).hasValue("7");
    JsonNode error = JSON.readTree(limited.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.has("type") && error.has("param") && error.has("message")).isTrue();

    upstream.behave(Behavior.insufficientQuota());
    HttpResponse<String> quota = post("/v1/chat/completions", CHAT);
    assertThat(quota.statusCode()).isEqualTo(429);
    assertThat(quota.headers().firstValue("retry-after")).isEmpty();
    assertThat(JSON.readTree(quota.body()).path("error").path("code").asText()).isEqualTo("insufficient_quota");
    assertThat(JSON.readTree(quota.body()).path("error").path("type").asText()).isEqualTo("insufficient_quota");

    upstream.behave(Behavior.status(503));
    HttpResponse<String> unavailable = post("/v1/chat/completions", CHAT);
    assertThat(unavailable.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(unavailable.body()).path("error").path("type").asText()).isEqualTo("server_error");
    upstream.close();

    upstream = FakeUpstream.start(Wire.ANTHROPIC).behave(Behavior.status(529));
    HttpResponse<String> overloaded = post("/v1/messages", MESSAGES, "anthropic-version", "2023-06-01");
    assertThat(overloaded.statusCode()).isEqualTo(529);
    JsonNode anthropic = JSON.readTree(overloaded.body());
    assertThat(anthropic.path("type").asText()).isEqualTo("error");
    assertThat(anthropic.path("error").path("type").asText()).isEqualTo("overloaded_error");
    upstream.behave(Behavior.status(429, "2"));
    HttpResponse<String> rateLimited = post("/v1/messages", MESSAGES, "anthropic-version", "2023-06-01");
    assertThat(rateLimited.headers().firstValue("retry-after")).hasValue("2");
    assertThat(JSON.readTree(rateLimited.body()).path("error").path("type").asText()).isEqualTo("rate_limit_error");
    upstream.behave(Behavior.insufficientQuota());
    HttpResponse<String> credit = post("/v1/messages", MESSAGES, "anthropic-version", "2023-06-01");
    assertThat(credit.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(credit.body()).path("error").path("message").asText()).contains("credit balance");
  }

  @Test
  void behaveOnceRunsItsSequenceThenFallsBackToTheDefault() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI)
        .behaveOnce(Behavior.status(500), Behavior.status(429, "1"));
    assertThat(post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(500);
    assertThat(post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(429);
    assertThat(post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
    upstream.behave(Behavior.status(502)).behaveOnce(Behavior.normal());
    assertThat(post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
    assertThat(post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(502);
    assertThat(post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(502);
    assertThat(upstream.requests()).isEqualTo(6);
    assertThat(upstream.received()).hasSize(6);
  }

  @Test
  void garbageIsNeitherJsonNorServerSentEvents() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI).behave(Behavior.garbage());
    HttpResponse<String> plain = post("/v1/chat/completions", CHAT);
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> JSON.readTree(plain.body())).isInstanceOf(IOException.class);

    HttpResponse<String> streamed = post("/v1/chat/completions", CHAT.replace("\"temperature\":0.5", "\"stream\":true"));
    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(streamed.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    assertThat(streamed.body()).isNotBlank();
    assertThat(dataLines(streamed.body())).isEmpty();
  }

  @Test
  void truncateAfterCutsTheStreamWithoutDone() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI).behave(Behavior.truncateAfter(2));
    String body = CHAT.replace("\"temperature\":0.5", "\"stream\":true");
    Partial partial = readStream("/v1/chat/completions", body);
    // the JDK client drops data it has not handed out yet when the connection fails, so at most the 2 events
    assertThat(partial.data()).hasSizeLessThanOrEqualTo(2).doesNotContain("[DONE]");
    assertThat(partial.error()).as("the client sees the cut as an error").isNotNull();

    // on the wire: the chunked body never terminates, and the server closes the TCP connection
    String raw = rawExchange("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
    assertThat(raw).startsWith("HTTP/1.1 200").contains("Transfer-Encoding: chunked");
    assertThat(raw).doesNotContain("[DONE]").doesNotEndWith("0\r\n\r\n");
    assertThat(raw.split("data: ", -1)).hasSize(3);
    assertThat(upstream.cancelledStreams()).isZero();
    // the server's thread counts the stream closed just after it cuts the connection the client saw end
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (upstream.openStreams() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(upstream.openStreams()).isZero();
  }

  @Test
  void truncateAfterCutsNonStreamingBodiesInHalf() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI).behave(Behavior.truncateAfter(0));
    try {
      HttpResponse<String> response = post("/v1/chat/completions", CHAT);
      JsonNode complete = null;
      try {
        complete = JSON.readTree(response.body());
      } catch (IOException expected) {
        // a short body is fine too
      }
      assertThat(complete).as("a truncated body must not parse").isNull();
    } catch (IOException expected) {
      assertThat(expected).isNotInstanceOf(HttpTimeoutException.class);
    }
    upstream.behave(Behavior.normal());
    int full = post("/v1/chat/completions", CHAT).body().getBytes(StandardCharsets.UTF_8).length;
    upstream.behave(Behavior.truncateAfter(0));
    String raw = rawExchange("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: "
        + CHAT.length() + "\r\n\r\n" + CHAT);
    String rawBody = raw.substring(raw.indexOf("\r\n\r\n") + 4);
    assertThat(raw).contains("Content-Length: " + full);
    assertThat(rawBody.getBytes(StandardCharsets.UTF_8).length).isEqualTo(full / 2);
  }

  @Test
  void anthropicTruncationKeepsThePreambleAndCutsBeforeMessageStop() throws Exception {
    upstream = FakeUpstream.start(Wire.ANTHROPIC).behave(Behavior.truncateAfter(1));
    String body = MESSAGES.replace("\"max_tokens\":100", "\"max_tokens\":100,\"stream\":true");
    Partial partial = readStream("/v1/messages", body, "anthropic-version", "2023-06-01");
    assertThat(partial.events()).isSubsetOf("message_start", "content_block_start", "ping", "content_block_delta")
        .doesNotContain("message_stop");
    assertThat(partial.error()).isNotNull();
    String raw = rawExchange("POST /v1/messages HTTP/1.1\r\nHost: x\r\nanthropic-version: 2023-06-01\r\n"
        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
    assertThat(events(raw).stream().map(e -> e[0])).containsExactly("message_start", "content_block_start", "ping",
        "content_block_delta");
  }

  @Test
  void midStreamErrorSendsTheProvidersErrorEventAndEnds() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI).behave(Behavior.midStreamError(1));
    String body = CHAT.replace("\"temperature\":0.5", "\"stream\":true");
    HttpResponse<String> response = post("/v1/chat/completions", body);
    assertThat(response.statusCode()).isEqualTo(200);
    List<String> data = dataLines(response.body());
    assertThat(data).hasSize(2).doesNotContain("[DONE]");
    JsonNode error = JSON.readTree(data.get(1)).path("error");
    assertThat(error.path("type").asText()).isEqualTo("server_error");
    assertThat(error.has("message")).isTrue();
    // the connection stays usable after a cleanly ended stream
    upstream.behave(Behavior.normal());
    assertThat(post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
    upstream.close();

    upstream = FakeUpstream.start(Wire.ANTHROPIC).behave(Behavior.midStreamError(2));
    String messages = MESSAGES.replace("\"max_tokens\":100", "\"max_tokens\":100,\"stream\":true");
    List<String[]> events = events(post("/v1/messages", messages, "anthropic-version", "2023-06-01").body());
    assertThat(events.stream().map(e -> e[0])).containsExactly("message_start", "content_block_start", "ping",
        "content_block_delta", "content_block_delta", "error");
    JsonNode anthropic = JSON.readTree(events.get(5)[1]);
    assertThat(anthropic.path("type").asText()).isEqualTo("error");
    assertThat(anthropic.path("error").path("type").asText()).isEqualTo("overloaded_error");
  }

  @Test
  void slowStreamNoticesAClientThatGoesAway() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI).behave(Behavior.slowStream(Duration.ofMillis(100)));
    String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
        + "w ".repeat(50) + "\"}]}";
    HttpResponse<InputStream> response = CLIENT.send(request("/v1/chat/completions", body).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    assertThat(reader.readLine()).startsWith("data: ");
    assertThat(upstream.openStreams()).isEqualTo(1);
    assertThat(upstream.cancelledStreams()).isZero();
    reader.close();

    assertThat(upstream.awaitCancelledStreams(1, Duration.ofSeconds(3))).isTrue();
    assertThat(upstream.cancelledStreams()).isEqualTo(1);
    assertThat(upstream.openStreams()).isZero();
  }

  @Test
  void slowStreamPausesBetweenEventsAndCompletes() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI).behave(Behavior.slowStream(Duration.ofMillis(40)));
    String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a b\"}]}";
    long started = System.nanoTime();
    List<String> data = dataLines(post("/v1/chat/completions", body).body());
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(data).hasSize(3 + 1 + 1);
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(4 * 40));
    assertThat(upstream.cancelledStreams()).isZero();
  }

  @Test
  void delayHeadWaitsBeforeAnswering() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI).behaveOnce(Behavior.delayHead(Duration.ofMillis(300)),
        Behavior.delayHead(Duration.ofMillis(100), Behavior.status(503)));
    long started = System.nanoTime();
    assertThat(post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(503);
  }

  @Test
  void hangNeverAnswersUntilClosed() throws Exception {
    upstream = FakeUpstream.start(Wire.ANTHROPIC).behave(Behavior.hang());
    HttpRequest hanging = request("/v1/messages", MESSAGES).header("anthropic-version", "2023-06-01")
        .timeout(Duration.ofMillis(300)).build();
    assertThatThrownBy(() -> CLIENT.send(hanging, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(upstream.requests()).isEqualTo(1);

    CompletableFuture<HttpResponse<String>> pending = CLIENT.sendAsync(
        request("/v1/messages", MESSAGES).header("anthropic-version", "2023-06-01").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(upstream.awaitRequests(2, Duration.ofSeconds(2))).isTrue();
    long started = System.nanoTime();
    upstream.close();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    assertThat(pending).failsWithin(Duration.ofSeconds(2));
  }

  @Test
  void servesConcurrentRequestsOnKeptAliveConnections() throws Exception {
    upstream = FakeUpstream.start(Wire.OPENAI).behave(Behavior.delayHead(Duration.ofMillis(100)));
    List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      pending.add(CLIENT.sendAsync(request("/v1/chat/completions", CHAT).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> response : pending) {
      assertThat(response.get().statusCode()).isEqualTo(200);
    }
    assertThat(upstream.requests()).isEqualTo(8);
    assertThat(upstream.received()).extracting(Received::path).containsOnly("/v1/chat/completions");
  }

  @Test
  void answersClientsThatOfferAnHttp2UpgradeWithHttp11() throws Exception {
    upstream = FakeUpstream.start(Wire.ANTHROPIC).models("claude-a", "claude-b");
    HttpClient defaultClient = HttpClient.newHttpClient();
    HttpResponse<String> models = defaultClient.send(HttpRequest.newBuilder(URI.create(upstream.baseUrl()
        + "/v1/models")).header("anthropic-version", "2023-06-01").timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(models.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    JsonNode list = JSON.readTree(models.body());
    assertThat(list.path("data").get(0).path("id").asText()).isEqualTo("claude-a");
    assertThat(list.path("data").get(0).path("type").asText()).isEqualTo("model");
    assertThat(list.path("has_more").asBoolean()).isFalse();
    HttpResponse<String> message = defaultClient.send(request("/v1/messages", MESSAGES)
        .header("anthropic-version", "2023-06-01").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(message.statusCode()).isEqualTo(200);
  }

  // ---- helpers ----

  private HttpRequest.Builder request(String path, String body) {
    return HttpRequest.newBuilder(URI.create(upstream.baseUrl() + path))
        .timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> post(String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder builder = request(path, body);
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(upstream.baseUrl() + path)).timeout(Duration.ofSeconds(5))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> dataLines(String body) {
    return body.lines().filter(line -> line.startsWith("data: ")).map(line -> line.substring(6))
        .collect(Collectors.toList());
  }

  private static List<JsonNode> parse(List<String> data) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : data) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }

  /** Anthropic events as [name, data]. */
  private static List<String[]> events(String body) {
    List<String[]> events = new ArrayList<>();
    String name = null;
    for (String line : body.lines().collect(Collectors.toList())) {
      if (line.startsWith("event: ")) {
        name = line.substring(7);
      } else if (line.startsWith("data: ")) {
        events.add(new String[] {name, line.substring(6)});
      }
    }
    return events;
  }

  private record Partial(List<String> data, List<String> events, IOException error) {}

  /** Reads a stream line by line until it ends or fails. */
  private Partial readStream(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder builder = request(path, body);
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    HttpResponse<InputStream> response = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    List<String> data = new ArrayList<>();
    List<String> events = new ArrayList<>();
    IOException error = null;
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("data: ")) {
          data.add(line.substring(6));
        } else if (line.startsWith("event: ")) {
          events.add(line.substring(7));
        }
      }
    } catch (IOException e) {
      error = e;
    }
    return new Partial(data, events, error);
  }

  /** Sends raw bytes on a fresh connection and reads until the server closes it. */
  private String rawExchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", upstream.port())) {
      socket.setSoTimeout(3000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        received.write(buffer, 0, n);
      }
      return received.toString(StandardCharsets.UTF_8);
    }
  }
}
