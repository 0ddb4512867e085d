package com.neurasea.routing;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.OptionalBinder;
import com.neurasea.internal.CoreModule;
import com.neurasea.spi.UpstreamTransport;

/**
 * Guice bindings of the gateway. {@link GatewaySettings} defaults to {@link GatewaySettings#DEFAULT}
 * and {@link RoutingStrategy} to {@link RoutingStrategy#WEIGHTED}; the host binds an
 * {@link UpstreamTransport} with {@code OptionalBinder.setBinding()} (without one only in-process
 * channels answer).
 */
public final class RoutingModule extends AbstractModule {
  @Override
  protected void configure() {
    install(new CoreModule());
    OptionalBinder.newOptionalBinder(binder(), GatewaySettings.class).setDefault().toInstance(GatewaySettings.DEFAULT);
    OptionalBinder.newOptionalBinder(binder(), RoutingStrategy.class).setDefault().toInstance(RoutingStrategy.WEIGHTED);
    OptionalBinder.newOptionalBinder(binder(), UpstreamTransport.class);
    bind(Gateway.class);
    bind(ChannelService.class);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RoutingModule;
  }

  @Override
  public int hashCode() {
    return RoutingModule.class.hashCode();
  }
}
