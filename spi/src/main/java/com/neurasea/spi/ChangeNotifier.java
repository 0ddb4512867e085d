package com.neurasea.spi;

import java.util.function.Consumer;

/**
 * Carries "cached access data changed" signals between platform instances that share one storage
 * backend, so a change made through one instance (a revoked token, a removed binding, a suspended
 * tenant) takes effect on every other within a bounded delay.
 *
 * <p>Keys are short strings: {@code tenant:<tenantId>} for one tenant's access data, {@link #ALL}
 * for everything. A notifier that may have missed signals (its connection dropped) must deliver
 * {@link #ALL} to its subscribers as soon as it notices, and again once it is reconnected.
 */
public interface ChangeNotifier extends AutoCloseable {
  /** The key that invalidates everything. */
  String ALL = "*";

  /**
   * Publishes a key to every subscriber of every instance. Best effort: a failure to publish is
   * logged, never thrown, since the change itself has already committed.
   *
   * @param key the key
   */
  void publish(String key);

  /**
   * Subscribes to keys published by any instance (this one's own included).
   *
   * @param listener called on a notifier thread for each key; must be quick and never throw
   * @return closing it ends the subscription
   */
  AutoCloseable subscribe(Consumer<String> listener);

  /** Stops listening and publishing. */
  @Override
  void close();
}
