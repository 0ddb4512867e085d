package com.neurasea.upstream.jdk;

import static com.neurasea.tck.upstream.RawServer.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.spi.UpstreamRequest;
import com.neurasea.spi.UpstreamTransport;
import com.neurasea.tck.UpstreamTransportContract;
import com.neurasea.tck.upstream.RawServer;
import com.neurasea.tck.upstream.RecordingHandler;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The {@link UpstreamTransportContract}, and what only the JDK transport does: its HTTP version choice. */
class JdkUpstreamTransportTest extends UpstreamTransportContract {
  @Override
  protected UpstreamTransport newTransport() {
    return new JdkUpstreamTransport();
  }

  @Test
  void speaksHttp11WithoutAnUpgradeToCleartextUpstreamsEvenWithHttp2On() throws Exception {
    List<RawServer.Request> seen = new CopyOnWriteArrayList<>();
    RawServer server = server(c -> {
      RawServer.Request request;
      while ((request = c.readRequest()) != null) {
        seen.add(request);
        c.write(ok("ok"));
      }
    });
    assertThat(((JdkUpstreamTransport) transport()).settings().http2()).isTrue();
    RecordingHandler handler = handler();

    transport().send(post(server.uri("/v1/chat/completions"), Map.of(), "{}", READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error()).isNull();
    assertThat(seen).singleElement().satisfies(request -> {
      assertThat(request.requestLine()).endsWith(" HTTP/1.1");
      assertThat(request.header("upgrade")).isEmpty();
      assertThat(request.header("http2-settings")).isEmpty();
      assertThat(request.header("connection")).isEmpty();
    });
  }

  @Test
  void refusesAHeaderValueWithAnotherControlCharacter() {
    RecordingHandler handler = handler();

    assertThatThrownBy(() -> transport().send(new UpstreamRequest("GET", URI.create("http://127.0.0.1:9/x"),
            Map.of("X-Bad", "a\u0001b"), null, CONNECT_TIMEOUT, READ_TIMEOUT), handler))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(handler.events()).isEmpty();
  }

  @Test
  void asksForHttp2OverTlsUnlessDisabled() {
    assertThat(transport().name()).isEqualTo("jdk");
    assertThat(JdkUpstreamTransport.Settings.defaults().http2()).isTrue();
    try (JdkUpstreamTransport http11 = JdkUpstreamTransport.create(Map.of("http2", "false"))) {
      assertThat(http11.settings().http2()).isFalse();
    }
    try (JdkUpstreamTransport defaults = JdkUpstreamTransport.create(null)) {
      assertThat(defaults.settings()).isEqualTo(JdkUpstreamTransport.Settings.defaults());
    }
  }
}
