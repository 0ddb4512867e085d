package com.neurasea;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import com.google.inject.multibindings.OptionalBinder;
import com.neurasea.identity.IdentityService;
import com.neurasea.identity.PasswordPolicy;
import com.neurasea.secrets.FileKeyProvider;
import com.neurasea.spi.KeyProvider;
import com.neurasea.spi.Storage;
import com.neurasea.store.sqlite.SqliteStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Guice host installs {@link NeuraSeaModule} with its own storage and overrides defaults. */
class GuiceHostTest {
  @TempDir Path dir;

  @Test
  void guiceHostInstallsTheModuleAndOverridesDefaults() {
    MutableClock clock = new MutableClock(Instant.parse("2030-05-01T00:00:00Z"));
    try (Storage storage = SqliteStorage.builder().path(dir.resolve("g.db")).build()) {
      Injector injector = Guice.createInjector(Stage.PRODUCTION, new NeuraSeaModule(), new AbstractModule() {
        @Override
        protected void configure() {
          bind(Storage.class).toInstance(storage);
          bind(KeyProvider.class).toInstance(FileKeyProvider.open(dir.resolve("g.key")));
          OptionalBinder.newOptionalBinder(binder(), Clock.class).setBinding().toInstance(clock);
          OptionalBinder.newOptionalBinder(binder(), PasswordPolicy.class).setBinding()
              .toInstance(PasswordPolicy.forTests());
        }
      });
      try (NeuraSea platform = injector.getInstance(NeuraSea.class)) {
        assertThat(injector.getInstance(IdentityService.class)).isSameAs(platform.identity());
        var result = platform.bootstrap("admin", "platform").orElseThrow();
        assertThat(result.tenant().createdAt()).isEqualTo(clock.instant());
      }
      // The platform did not create the storage, so it left it open.
      assertThat(storage.tenancy().listTenants(com.neurasea.model.PageRequest.firstPage())).hasSize(1);
    }
  }

  @Test
  void configuringTheModuleDoesNoIo() {
    // Building the bindings without a storage must not touch anything: elements only.
    assertThat(com.google.inject.spi.Elements.getElements(new NeuraSeaModule())).isNotEmpty();
  }
}
