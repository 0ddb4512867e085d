package com.neurasea.store.sqlite.tck;

import com.neurasea.spi.Storage;
import com.neurasea.store.sqlite.SqliteStorage;
import com.neurasea.tck.AccessFactsContract;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** Runs the access-facts contract against SQLite. */
class SqliteAccessFactsTckTest extends AccessFactsContract {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  @TempDir Path tempDir;

  @Override
  protected Storage newStorage() {
    return SqliteStorage.builder().path(tempDir.resolve("tck-" + COUNTER.incrementAndGet() + ".db")).build();
  }
}
