package com.neurasea.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Binds the shared internals every domain module uses. */
public final class CoreModule extends AbstractModule {
  @Override
  protected void configure() {
    bind(Generations.class).in(Singleton.class);
    bind(CommandValidator.class).in(Singleton.class);
  }

  @Provides
  @Singleton
  IdGenerator idGenerator(Clock clock) {
    return new IdGenerator(clock);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CoreModule;
  }

  @Override
  public int hashCode() {
    return CoreModule.class.hashCode();
  }
}
