package com.neurasea.identity;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.neurasea.internal.CoreModule;
import com.neurasea.internal.PasswordHasher;
import com.neurasea.spi.IdentityProvider;
import jakarta.inject.Singleton;

/**
 * Guice bindings of the identity domain. {@link PasswordPolicy} defaults to
 * {@link PasswordPolicy#DEFAULT}; hosts add identity providers with
 * {@code Multibinder.newSetBinder(binder(), IdentityProvider.class)}.
 */
public final class IdentityModule extends AbstractModule {
  @Override
  protected void configure() {
    install(new CoreModule());
    OptionalBinder.newOptionalBinder(binder(), PasswordPolicy.class).setDefault().toInstance(PasswordPolicy.DEFAULT);
    Multibinder.newSetBinder(binder(), IdentityProvider.class);
    bind(IdentityService.class);
  }

  @Provides
  @Singleton
  PasswordHasher passwordHasher(PasswordPolicy policy) {
    return new PasswordHasher(policy.memoryKib(), policy.iterations(), policy.parallelism());
  }
}
