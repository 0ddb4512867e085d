package com.neurasea.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.model.PageRequest;
import com.neurasea.spi.Storage;
import com.neurasea.tck.FreshStorage;
import com.neurasea.tck.TckFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The TCK's {@link FreshStorage} on SQLite: a new, empty database per test, removed afterwards. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SqliteFreshStorageTest {
  private static Path previous;

  @RegisterExtension final FreshStorage fresh = FreshStorage.sqlite();

  @Test
  @Order(1)
  void eachTestGetsItsOwnDatabaseSharedByTheStoragesItOpens() {
    Storage storage = fresh.storage();
    assertThat(storage.name()).isEqualTo("sqlite");
    assertThat(fresh.storage()).isSameAs(storage);
    storage.tenancy().insertTenant(TckFixtures.tenant());
    assertThat(fresh.open().tenancy().listTenants(PageRequest.firstPage())).hasSize(1);
    previous = Path.of(fresh.settings().get("path"));
  }

  @Test
  @Order(2)
  void theDatabaseOfAnEarlierTestIsGone() {
    assertThat(previous).isNotNull();
    assertThat(Files.exists(previous.getParent())).isFalse();
    assertThat(fresh.storage().tenancy().listTenants(PageRequest.firstPage())).isEmpty();
  }
}
