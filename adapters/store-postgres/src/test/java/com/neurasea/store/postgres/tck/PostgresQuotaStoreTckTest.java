package com.neurasea.store.postgres.tck;

import com.neurasea.spi.Storage;
import com.neurasea.tck.FreshStorage;
import com.neurasea.tck.QuotaStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs the {@link QuotaStoreContract} against a fresh PostgreSQL schema per test. */
class PostgresQuotaStoreTckTest extends QuotaStoreContract {
  @RegisterExtension final FreshStorage fresh = FreshStorage.postgres();

  @Override
  protected Storage newStorage() {
    return fresh.open();
  }
}
