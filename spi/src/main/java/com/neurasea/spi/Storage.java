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
   * Runs work in one write transaction, like {@link #inTransaction}, for work whose every change
   * follows from rows it has locked first: the quota store's lease, settle and pool-locking methods,
   * and plain inserts. A backend may run it at a weaker isolation than {@code inTransaction} (read
   * committed on PostgreSQL) so that writers contending for one hot row wait for its lock instead of
   * failing and retrying; the default is {@code inTransaction}.
   */
  default <T> T inLockingTransaction(TransactionWork<T> work) {
    return inTransaction(work);
  }

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
