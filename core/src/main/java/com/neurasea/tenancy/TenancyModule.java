package com.neurasea.tenancy;

import com.google.inject.AbstractModule;
import com.neurasea.internal.CoreModule;

/** Guice bindings of the tenancy domain. */
public final class TenancyModule extends AbstractModule {
  @Override
  protected void configure() {
    install(new CoreModule());
    bind(TenancyService.class);
    bind(GroupService.class);
  }
}
