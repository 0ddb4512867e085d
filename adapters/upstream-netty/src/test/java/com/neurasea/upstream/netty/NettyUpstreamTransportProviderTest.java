package com.neurasea.upstream.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.spi.UpstreamTransport;
import com.neurasea.spi.UpstreamTransportProvider;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class NettyUpstreamTransportProviderTest {
  @Test
  void isFoundByServiceLoaderAndCreatesTheTransport() {
    List<UpstreamTransportProvider> providers = ServiceLoader.load(UpstreamTransportProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("netty"))
        .toList();

    assertThat(providers).singleElement().isInstanceOf(NettyUpstreamTransportProvider.class);
    try (UpstreamTransport transport = providers.get(0).create(Map.of())) {
      assertThat(transport).isInstanceOf(NettyUpstreamTransport.class);
      assertThat(transport.name()).isEqualTo("netty");
    }
    try (UpstreamTransport transport = providers.get(0).create(Map.of("threads", " 3 ", "native", "FALSE"))) {
      NettyUpstreamTransport netty = (NettyUpstreamTransport) transport;
      assertThat(netty.socketTransport()).isEqualTo("nio");
      assertThat(StreamSupport.stream(netty.eventLoopGroup().spliterator(), false).map(EventExecutor.class::cast))
          .hasSize(3);
    }
  }

  @Test
  void refusesAnUnknownSettingByName() {
    NettyUpstreamTransportProvider provider = new NettyUpstreamTransportProvider();

    assertThatThrownBy(() -> provider.create(Map.of("max-connections", "8")))
        .isInstanceOfSatisfying(NeuraSeaException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains("max-connections").contains("threads").contains("native");
          assertThat(e.fieldErrors()).singleElement().satisfies(f -> assertThat(f.field()).isEqualTo("max-connections"));
        });
  }

  @Test
  void refusesBadValues() {
    NettyUpstreamTransportProvider provider = new NettyUpstreamTransportProvider();

    for (Map<String, String> bad : List.of(Map.of("threads", "-1"), Map.of("threads", "many"),
        Map.of("threads", "5000"), Map.of("native", "maybe"))) {
      String key = bad.keySet().iterator().next();
      assertThatThrownBy(() -> provider.create(bad))
          .isInstanceOfSatisfying(NeuraSeaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.fieldErrors()).singleElement().satisfies(f -> assertThat(f.field()).isEqualTo(key));
          });
    }
  }
}
