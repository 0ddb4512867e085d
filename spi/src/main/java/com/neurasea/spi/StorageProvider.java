package com.neurasea.spi;

import java.util.Map;
import java.util.Optional;

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

  /**
   * Reads a storage URL such as {@code sqlite:data/neurasea.db} or
   * {@code jdbc:postgresql://db:5432/neurasea} into this provider's settings, when the URL is of its
   * kind. Credentials never travel in the URL: providers that need them read them from the
   * environment.
   *
   * @param url the URL a host was given
   * @return the settings for {@link #open}, or empty when the URL belongs to another provider
   */
  default Optional<Map<String, String>> settingsFor(String url) {
    return Optional.empty();
  }
}
