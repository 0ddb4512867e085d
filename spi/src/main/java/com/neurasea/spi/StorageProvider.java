package com.neurasea.spi;

import java.util.Map;

/**
 * Opens a storage backend by name. Found through {@link java.util.ServiceLoader} only when the host
 * asks for discovery; otherwise hosts pass a {@link Storage} to the builder directly.
 */
public interface StorageProvider {
  /** The name hosts select it by, e.g. {@code sqlite}. */
  String name();

  /**
   * Opens the backend and brings its schema up to date.
   *
   * @param settings backend-specific settings (e.g. {@code path} or {@code url})
   * @return the open storage, owned by the caller
   */
  Storage open(Map<String, String> settings);
}
