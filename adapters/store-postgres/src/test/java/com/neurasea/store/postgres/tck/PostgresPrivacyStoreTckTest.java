package com.neurasea.store.postgres.tck;

import com.neurasea.spi.Storage;
import com.neurasea.tck.FreshStorage;
import com.neurasea.tck.PrivacyStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs the {@link PrivacyStoreContract} against a fresh PostgreSQL schema per test. */
class PostgresPrivacyStoreTckTest extends PrivacyStoreContract {
  @RegisterExtension final FreshStorage fresh = FreshStorage.postgres();

  @Override
  protected Storage newStorage() {
    return fresh.open();
  }
}
