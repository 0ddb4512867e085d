package com.neurasea.upstream.jdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.spi.UpstreamTransport;
import com.neurasea.spi.UpstreamTransportProvider;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class JdkUpstreamTransportProviderTest {
  @Test
  void isFoundByServiceLoaderAndCreatesTheTransport() {
    List<UpstreamTransportProvider> providers = ServiceLoader.load(UpstreamTransportProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("jdk"))
        .toList();

    assertThat(providers).singleElement().isInstanceOf(JdkUpstreamTransportProvider.class);
    try (UpstreamTransport transport = providers.get(0).create(Map.of())) {
      assertThat(transport).isInstanceOf(JdkUpstreamTransport.class);
      assertThat(transport.name()).isEqualTo("jdk");
    }
    try (UpstreamTransport transport = providers.get(0).create(Map.of("http2", " FALSE "))) {
      assertThat(((JdkUpstreamTransport) transport).settings().http2()).isFalse();
    }
  }

  @Test
  void refusesAnUnknownSettingByName() {
    JdkUpstreamTransportProvider provider = new JdkUpstreamTransportProvider();

    assertThatThrownBy(() -> provider.create(Map.of("max-connections", "8")))
        .isInstanceOfSatisfying(NeuraSeaException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains("max-connections").contains("http2");
          assertThat(e.fieldErrors()).singleElement().satisfies(f -> assertThat(f.field()).isEqualTo("max-connections"));
        });
  }

  @Test
  void refusesABadValue() {
    assertThatThrownBy(() -> new JdkUpstreamTransportProvider().create(Map.of("http2", "maybe")))
        .isInstanceOfSatisfying(NeuraSeaException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains("http2");
        });
  }
}
