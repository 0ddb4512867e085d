package com.neurasea;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.identity.PasswordPolicy;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Principal;
import com.neurasea.spi.Credentials;
import com.neurasea.spi.IdentityProvider;
import com.neurasea.spi.Storage;
import com.neurasea.store.sqlite.SqliteStorage;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NeuraSeaBuilderTest {
  @TempDir Path dir;

  @Test
  void aSettingMadeTwiceIsRefusedAtTheCall() {
    NeuraSeaBuilder builder = NeuraSea.builder().keyFile(dir.resolve("k"));
    assertThatThrownBy(() -> builder.keyFile(dir.resolve("k2"))).isInstanceOf(IllegalStateException.class);
    builder.passwordPolicy(PasswordPolicy.forTests());
    assertThatThrownBy(() -> builder.passwordPolicy(PasswordPolicy.DEFAULT)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> builder.clock(null)).isInstanceOf(NullPointerException.class).hasMessage("clock");
  }

  @Test
  void storageAndKeysAreRequired() {
    assertThatThrownBy(() -> NeuraSea.builder().keyFile(dir.resolve("k")).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("storage");
  }

  @Test
  void namedStorageNeedsDiscoveryAndUnknownNamesListWhatIsAvailable() {
    assertThatThrownBy(() -> NeuraSea.builder().storage("sqlite", Map.of()).keyFile(dir.resolve("k")).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("discoverAdapters");
    assertThatThrownBy(() -> NeuraSea.builder().discoverAdapters().storage("oracle", Map.of())
        .keyFile(dir.resolve("k")).build())
        .isInstanceOf(NeuraSeaException.class)
        .hasMessageContaining("unknown storage adapter 'oracle'")
        .hasMessageContaining("sqlite");
  }

  @Test
  void discoveredStorageIsOwnedAndClosedByThePlatform() {
    try (NeuraSea platform = NeuraSea.builder().discoverAdapters()
        .storage("sqlite", Map.of("path", dir.resolve("d.db").toString()))
        .keyFile(dir.resolve("k"))
        .passwordPolicy(PasswordPolicy.forTests())
        .build()) {
      assertThat(platform.bootstrap("admin", "platform")).isPresent();
    }
  }

  @Test
  void storageUrlPicksTheAdapterThatClaimsIt() {
    try (NeuraSea platform = NeuraSea.builder().storageUrl("sqlite:" + dir.resolve("u.db"))
        .keyFile(dir.resolve("k")).passwordPolicy(PasswordPolicy.forTests()).build()) {
      assertThat(platform.bootstrap("admin", "platform")).isPresent();
    }
    assertThat(dir.resolve("u.db")).exists();
    assertThatThrownBy(() -> NeuraSea.builder().storageUrl("mysql://db/x").keyFile(dir.resolve("k")).build())
        .isInstanceOf(NeuraSeaException.class)
        .hasMessageContaining("no storage adapter on the class path accepts this URL")
        .hasMessageContaining("sqlite")
        .hasMessageNotContaining("mysql://db/x");
    assertThatThrownBy(() -> NeuraSea.builder().storageUrl("sqlite:x").storage("sqlite", Map.of()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void hostStorageIsLeftOpenOnClose() {
    try (Storage storage = SqliteStorage.builder().path(dir.resolve("d.db")).build()) {
      NeuraSea.builder().storage(storage).keyFile(dir.resolve("k")).build().close();
      assertThat(storage.tenancy().listTenants(com.neurasea.model.PageRequest.firstPage())).isEmpty();
    }
  }

  @Test
  void extraIdentityProvidersAreAskedAfterTheBuiltInOne() {
    IdentityProvider never = new IdentityProvider() {
      @Override
      public String name() {
        return "ldap";
      }

      @Override
      public Optional<Principal> authenticate(Credentials credentials) {
        return Optional.empty();
      }
    };
    try (Storage storage = SqliteStorage.builder().path(dir.resolve("d.db")).build();
        NeuraSea platform = NeuraSea.builder().storage(storage).keyFile(dir.resolve("k")).identityProvider(never)
            .build()) {
      assertThat(platform.identity().providerNames()).containsExactly("local", "ldap");
      assertThatThrownBy(() -> platform.identity().authenticate(null))
          .isInstanceOf(NeuraSeaException.class)
          .satisfies(e -> assertThat(((NeuraSeaException) e).code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
    }
    assertThatThrownBy(() -> NeuraSea.builder().identityProvider(never).identityProvider(never))
        .isInstanceOf(IllegalStateException.class);
  }
}
