package com.neurasea.store.postgres.tck;

import com.neurasea.spi.Storage;
import com.neurasea.tck.StorageContract;
import com.neurasea.tck.FreshStorage;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs the {@link StorageContract} against a fresh PostgreSQL schema per test. */
class PostgresStorageTckTest extends StorageContract {
  @RegisterExtension final FreshStorage fresh = FreshStorage.postgres();

  @Override
  protected Storage newStorage() {
    return fresh.open();
  }
}
