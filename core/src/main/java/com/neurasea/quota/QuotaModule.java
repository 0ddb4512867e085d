package com.neurasea.quota;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.neurasea.internal.CoreModule;
import com.neurasea.spi.PersonalDataContributor;
import com.neurasea.spi.Storage;

/**
 * Guice bindings of the quota domain. {@link QuotaSettings} defaults to {@link QuotaSettings#DEFAULT};
 * hosts override it with {@code OptionalBinder.setBinding()}.
 */
public final class QuotaModule extends AbstractModule {
  @Override
  protected void configure() {
    install(new CoreModule());
    OptionalBinder.newOptionalBinder(binder(), QuotaSettings.class).setDefault().toInstance(QuotaSettings.DEFAULT);
    Multibinder.newSetBinder(binder(), PersonalDataContributor.class);
    bind(PriceTable.class);
    bind(QuotaEngine.class);
    bind(QuotaService.class);
  }

  @ProvidesIntoSet
  PersonalDataContributor usageContributor(Storage storage, QuotaEngine engine) {
    return new UsageContributor(storage, engine);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof QuotaModule;
  }

  @Override
  public int hashCode() {
    return QuotaModule.class.hashCode();
  }
}
