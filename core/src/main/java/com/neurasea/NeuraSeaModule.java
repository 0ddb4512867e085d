package com.neurasea;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.OptionalBinder;
import com.neurasea.identity.IdentityModule;
import com.neurasea.privacy.PrivacyModule;
import com.neurasea.quota.QuotaModule;
import com.neurasea.routing.RoutingModule;
import com.neurasea.permissions.PermissionsModule;
import com.neurasea.tenancy.TenancyModule;
import java.time.Clock;

/**
 * The whole platform as one Guice module, for Guice hosts. The host binds a
 * {@link com.neurasea.spi.Storage} and a {@link com.neurasea.spi.KeyProvider}; {@link Clock}
 * defaults to UTC system time and can be overridden with {@code OptionalBinder.setBinding()}.
 * Configuring the module does no I/O; the injected {@link NeuraSea} writes the built-in roles to the
 * store when it is created.
 */
public final class NeuraSeaModule extends AbstractModule {
  @Override
  protected void configure() {
    OptionalBinder.newOptionalBinder(binder(), Clock.class).setDefault().toInstance(Clock.systemUTC());
    install(new PermissionsModule());
    install(new TenancyModule());
    install(new IdentityModule());
    install(new PrivacyModule());
    install(new QuotaModule());
    install(new RoutingModule());
    bind(NeuraSea.class);
  }
}
