package com.neurasea.privacy;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.OptionalBinder;
import com.neurasea.internal.CoreModule;

/**
 * Guice bindings of the privacy domain. {@link Taxonomy} defaults to {@link Taxonomy#defaults()}
 * {@link Jurisdiction} to {@link Jurisdiction#GDPR} and
 * {@link CheckpointSchedule} to {@link CheckpointSchedule#DEFAULT}; hosts override either with
 * {@code OptionalBinder.setBinding()}.
 */
public final class PrivacyModule extends AbstractModule {
  @Override
  protected void configure() {
    install(new CoreModule());
    OptionalBinder.newOptionalBinder(binder(), Taxonomy.class).setDefault().toInstance(Taxonomy.defaults());
    OptionalBinder.newOptionalBinder(binder(), Jurisdiction.class).setDefault().toInstance(Jurisdiction.GDPR);
    OptionalBinder.newOptionalBinder(binder(), CheckpointSchedule.class).setDefault()
        .toInstance(CheckpointSchedule.DEFAULT);
    bind(PrivacyLedger.class);
  }
}
