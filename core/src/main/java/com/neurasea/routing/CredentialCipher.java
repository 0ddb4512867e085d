package com.neurasea.routing;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.spi.KeyProvider;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals channel credentials for storage with AES-256-GCM under the key provider's
 * {@value #PURPOSE} key: {@code v1:} + base64(12-byte nonce + ciphertext + tag). The channel id is
 * the associated data, so a sealed key copied to another channel's row does not open.
 */
final class CredentialCipher {
  static final String PURPOSE = "channel-credentials";
  private static final String VERSION = "v1:";
  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  CredentialCipher(KeyProvider keys) {
    byte[] material = keys.key(PURPOSE);
    this.key = new SecretKeySpec(Arrays.copyOf(material, 32), "AES");
    Arrays.fill(material, (byte) 0);
  }

  String seal(String channelId, String secret) {
    try {
      byte[] nonce = new byte[12];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      cipher.updateAAD(channelId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[nonce.length + sealed.length];
      System.arraycopy(nonce, 0, out, 0, nonce.length);
      System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
      return VERSION + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  String open(String channelId, String sealed) {
    if (sealed == null) {
      return null;
    }
    try {
      if (!sealed.startsWith(VERSION)) {
        throw new GeneralSecurityException("unknown format");
      }
      byte[] in = Base64.getDecoder().decode(sealed.substring(VERSION.length()));
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
      cipher.updateAAD(channelId.getBytes(StandardCharsets.UTF_8));
      return new String(cipher.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new NeuraSeaException(ErrorCode.INTERNAL, "the credential of channel " + channelId
          + " cannot be opened with this key provider's key (was the key file replaced?)");
    }
  }

  /** The last four characters of a key, for display; empty for short keys. */
  static String hint(String secret) {
    if (secret == null || secret.length() < 12) {
      return "";
    }
    return "…" + secret.substring(secret.length() - 4);
  }
}
