package com.neurasea.spi;

/**
 * A storage backend: its stores for single-statement work, and transactions for multi-row changes.
 * Implementations are thread-safe. Closing releases connections; the host that opened it closes it.
 */
public interface Storage extends Stores, AutoCloseable {
  /** The backend's name, e.g. {@code sqlite} or {@code postgres}. */
  String name();

  /**
   * Runs work in one serializable-or-stronger write transaction; everything it changes lands or
   * nothing does. A store error the work catches (a CONFLICT) leaves the transaction usable.
   * Transient contention (a busy database) is retried inside; an unavailable backend
   * fails with code {@code UNAVAILABLE}.
   */
  <T> T inTransaction(TransactionWork<T> work);

  /**
   * The notifier that tells other instances sharing this backend about changes, when the backend
   * is shared (PostgreSQL); empty for a backend only one process uses (SQLite).
   *
   * @return the notifier, owned by the storage and closed with it
   */
  default java.util.Optional<ChangeNotifier> changeNotifier() {
    return java.util.Optional.empty();
  }

  /** Releases connections and files. */
  @Override
  void close();
}
