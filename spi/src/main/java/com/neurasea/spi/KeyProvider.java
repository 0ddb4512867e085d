package com.neurasea.spi;

/**
 * Supplies secret key material for hashing API tokens, encrypting credentials at rest and signing.
 * Implementations may read a key file, a KMS or an HSM; keys never appear in logs.
 */
public interface KeyProvider {
  /**
   * Returns at least 32 bytes of key material dedicated to one purpose. The same purpose always
   * yields the same key for the life of the deployment.
   *
   * @param purpose a stable name such as {@code token-hash}
   * @return a fresh copy of the key bytes
   */
  byte[] key(String purpose);
}
