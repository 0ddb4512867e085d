package com.neurasea.spi;

/**
 * Work done in one transaction.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface TransactionWork<T> {
  /**
   * Does the work against stores bound to the transaction. A thrown exception rolls everything back.
   *
   * @param stores stores that take part in the transaction
   * @return the result
   */
  T apply(Stores stores);
}
