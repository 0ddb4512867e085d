package com.neurasea.permissions;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.OptionalBinder;
import com.neurasea.internal.AccessChecks;
import com.neurasea.internal.CoreModule;

/** Guice bindings of the permissions domain; {@link AccessCacheSettings} defaults to {@link AccessCacheSettings#DEFAULT}. */
public final class PermissionsModule extends AbstractModule {
  @Override
  protected void configure() {
    install(new CoreModule());
    OptionalBinder.newOptionalBinder(binder(), AccessCacheSettings.class).setDefault().toInstance(AccessCacheSettings.DEFAULT);
    bind(PermissionService.class);
    bind(AccessChecks.class).to(PermissionService.class);
  }
}
