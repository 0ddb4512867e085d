package com.neurasea.tck;

import com.neurasea.spi.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every contract shares: a fresh storage per test from the adapter's factory, closed after the
 * test. An adapter passes a contract by extending it and implementing {@link #newStorage()}.
 */
public abstract class StorageUnderTest {
  private Storage storage;

  /**
   * Opens the storage under test. Called once before every test; the storage is closed after it.
   *
   * @return a fresh, empty, migrated storage that shares no rows with any other it returned
   */
  protected abstract Storage newStorage();

  /**
   * The storage of the running test, for tests an adapter adds to a contract.
   *
   * @return the storage opened by {@link #newStorage()} for the running test
   */
  protected final Storage storage() {
    return storage;
  }

  @BeforeEach
  final void openStorage() {
    storage = newStorage();
  }

  @AfterEach
  final void closeStorage() {
    if (storage != null) {
      storage.close();
      storage = null;
    }
  }
}
