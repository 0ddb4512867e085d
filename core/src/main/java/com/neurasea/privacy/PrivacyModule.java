package com.neurasea.privacy;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.neurasea.internal.CoreModule;
import com.neurasea.spi.PersonalDataContributor;

/**
 * Guice bindings of the privacy domain. {@link Taxonomy} defaults to {@link Taxonomy#defaults()}
 * {@link Jurisdiction} to {@link Jurisdiction#GDPR} and
 * {@link CheckpointSchedule} to {@link CheckpointSchedule#DEFAULT} and {@link MinorRule} to
 * {@link MinorRule#GUARDIAN_CONSENT}; hosts override them with {@code OptionalBinder.setBinding()} and
 * add their own {@link PersonalDataContributor}s with {@code Multibinder}.
 */
public final class PrivacyModule extends AbstractModule {
  @Override
  protected void configure() {
    install(new CoreModule());
    OptionalBinder.newOptionalBinder(binder(), Taxonomy.class).setDefault().toInstance(Taxonomy.defaults());
    OptionalBinder.newOptionalBinder(binder(), Jurisdiction.class).setDefault().toInstance(Jurisdiction.GDPR);
    OptionalBinder.newOptionalBinder(binder(), CheckpointSchedule.class).setDefault()
        .toInstance(CheckpointSchedule.DEFAULT);
    OptionalBinder.newOptionalBinder(binder(), MinorRule.class).setDefault().toInstance(MinorRule.GUARDIAN_CONSENT);
    Multibinder.newSetBinder(binder(), PersonalDataContributor.class);
    bind(PrivacyLedger.class);
    bind(DataSubjectRights.class);
  }
}
