package com.neurasea.identity;

import com.neurasea.spi.KeyProvider;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes API token secrets and their keyed hashes. A secret is {@code ns_} followed by 43 base64url
 * characters (256 random bits); stores see only HMAC-SHA256(key, secret).
 */
final class TokenSecrets {
  static final String SCHEME = "ns_";
  static final int SECRET_LENGTH = SCHEME.length() + 43;
  static final int DISPLAY_PREFIX_LENGTH = SCHEME.length() + 8;
  static final String KEY_PURPOSE = "api-token-hash";

  private final SecureRandom random = new SecureRandom();
  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  TokenSecrets(KeyProvider keys) {
    this.key = new SecretKeySpec(keys.key(KEY_PURPOSE), "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  String newSecret() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return SCHEME + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Whether a presented string can be a secret at all (cheap pre-check before any lookup). */
  static boolean wellFormed(String secret) {
    if (secret == null || secret.length() != SECRET_LENGTH || !secret.startsWith(SCHEME)) {
      return false;
    }
    for (int i = SCHEME.length(); i < secret.length(); i++) {
      char c = secret.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  byte[] hash(String secret) {
    return macs.get().doFinal(secret.getBytes(StandardCharsets.US_ASCII));
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every JDK", e);
    }
  }
}
