package com.neurasea.store.sqlite.tck;

import com.neurasea.spi.Storage;
import com.neurasea.store.sqlite.SqliteStorage;
import com.neurasea.tck.ChannelStoreContract;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** Runs the {@link ChannelStoreContract} against a fresh SQLite file per test. */
class SqliteChannelStoreTckTest extends ChannelStoreContract {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  @TempDir Path tempDir;

  @Override
  protected Storage newStorage() {
    return SqliteStorage.builder().path(tempDir.resolve("tck-" + DATABASES.incrementAndGet() + ".db")).build();
  }
}
