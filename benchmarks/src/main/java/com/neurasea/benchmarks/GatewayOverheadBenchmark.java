package com.neurasea.benchmarks;

import com.neurasea.model.Caller;
import com.neurasea.model.ChannelType;
import com.neurasea.model.CreateChannel;
import com.neurasea.model.CreateToken;
import com.neurasea.model.Principal;
import com.neurasea.model.SetModelPrice;
import com.neurasea.routing.Gateway;
import com.neurasea.routing.GatewayEndpoint;
import com.neurasea.routing.GatewayRequest;
import com.neurasea.routing.GatewayResponder;
import com.neurasea.spi.UpstreamCall;
import com.neurasea.spi.UpstreamHandler;
import com.neurasea.spi.UpstreamRequest;
import com.neurasea.spi.UpstreamTransport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gateway's own work per request with a no-op transport that answers at once: authenticate the
 * bearer token, read the body for model/stream/max_tokens, resolve the model, check the token's
 * allow-list and {@code models:use:<model>}, quote the price, reserve the worst case on every quota
 * level, pick a channel, build the upstream request, read the reply's usage, settle, and hand the
 * reply to the binding. The settlement writer's interval is pushed out and the iteration's records are
 * written between iterations, as in {@link QuotaLocalPathBenchmark}; but the engine also writes a batch
 * on its own whenever 512 settlements wait, so that writing runs beside a measured batch and shares
 * its cores (the likely source of the slow phases runs show). The score is microseconds per batch of
 * {@value #BATCH} requests, so the overhead per request is {@code score / BATCH}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, batchSize = GatewayOverheadBenchmark.BATCH)
@Measurement(iterations = 20, batchSize = GatewayOverheadBenchmark.BATCH)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class GatewayOverheadBenchmark {
  /** Requests per iteration. */
  static final int BATCH = 20_000;
  static final String MODEL = "gpt-4o-mini";
  static final byte[] REPLY = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\""
      + MODEL + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello! How can I "
      + "help you today?\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":9,"
      + "\"total_tokens\":21}}").getBytes(StandardCharsets.UTF_8);
  static final byte[] BODY = ("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"system\",\"content\":\"You "
      + "are a helpful assistant.\"},{\"role\":\"user\",\"content\":\"Hello there, how are you?\"}],"
      + "\"max_tokens\":64,\"temperature\":0.2}").getBytes(StandardCharsets.UTF_8);

  /** Answers every request at once with a fixed completion, on the calling thread. */
  static final class NoOpTransport implements UpstreamTransport {
    private static final Map<String, List<String>> HEAD = Map.of("content-type", List.of("application/json"));

    @Override
    public String name() {
      return "no-op";
    }

    @Override
    public UpstreamCall send(UpstreamRequest request, UpstreamHandler handler) {
      handler.onResponse(200, HEAD);
      handler.onBody(ByteBuffer.wrap(REPLY));
      handler.onComplete();
      return () -> { };
    }

    @Override
    public void close() {}
  }

  /** A binding that keeps nothing but the status. */
  static final class Sink implements GatewayResponder {
    int status;

    @Override
    public void sendFull(int code, Map<String, String> headers, byte[] body) {
      status = code;
    }

    @Override
    public void startStream(Map<String, String> headers) {}

    @Override
    public void sendEvent(byte[] bytes) {}

    @Override
    public void endStream() {}
  }

  /** The platform with one channel, one priced model and a user's API token. */
  @State(Scope.Benchmark)
  public static class Platform {
    @Param({"sqlite"})
    public String backend;

    QuotaPlatform platform;
    Gateway gateway;
    String authorization;

    @Setup(Level.Trial)
    public void setUp() {
      platform = new QuotaPlatform(Backend.of(backend), false, Duration.ofHours(1),
          builder -> builder.upstreamTransport(new NoOpTransport()));
      Caller system = Caller.platform(Principal.system());
      platform.platform.prices().setPrice(system, new SetModelPrice(MODEL, Instant.now().minusSeconds(60), 150_000,
          600_000, 75_000, 0, Map.of()));
      platform.platform.channels().create(system, CreateChannel.of("upstream", ChannelType.OPENAI,
          "http://127.0.0.1:9", "sk-bench-key-0123456789", List.of(MODEL)));
      Caller user = Caller.in(Principal.user(platform.user.id()), platform.tenant.id());
      authorization = "Bearer " + platform.platform.identity().createToken(user,
          new CreateToken("bench", null, null, null)).secret();
      gateway = platform.platform.gateway();
      Sink check = new Sink();
      gateway.handle(request(), check);
      if (check.status != 200) {
        throw new IllegalStateException("the gateway answered " + check.status + " in set-up");
      }
    }

    GatewayRequest request() {
      return new GatewayRequest(GatewayEndpoint.CHAT_COMPLETIONS, authorization, "127.0.0.1", "bench", BODY);
    }

    /** Writes the iteration's usage records, outside the measurement. */
    @TearDown(Level.Iteration)
    public void drain() {
      platform.engine.flush();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      platform.close();
    }
  }

  /** One request through the gateway. */
  @Benchmark
  public int request(Platform p) {
    Sink sink = new Sink();
    p.gateway.handle(p.request(), sink);
    return sink.status;
  }
}
