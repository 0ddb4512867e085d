package com.neurasea.store.postgres.tck;

import com.neurasea.spi.Storage;
import com.neurasea.tck.ChannelStoreContract;
import com.neurasea.tck.FreshStorage;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs the {@link ChannelStoreContract} against a fresh PostgreSQL schema per test. */
class PostgresChannelStoreTckTest extends ChannelStoreContract {
  @RegisterExtension final FreshStorage fresh = FreshStorage.postgres();

  @Override
  protected Storage newStorage() {
    return fresh.open();
  }
}
