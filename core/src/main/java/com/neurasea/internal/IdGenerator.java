package com.neurasea.internal;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * Generates time-ordered, unguessable identifiers: a prefix, 10 characters of millisecond time and
 * 16 random characters, all lowercase Crockford base32.
 */
public final class IdGenerator {
  private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;

  /** Creates a generator reading time from the clock. */
  public IdGenerator(Clock clock) {
    this.clock = clock;
  }

  /** A new identifier with the given prefix, e.g. {@code usr_}. */
  public String next(String prefix) {
    char[] out = new char[prefix.length() + 26];
    prefix.getChars(0, prefix.length(), out, 0);
    long millis = clock.millis();
    int p = prefix.length();
    for (int i = 9; i >= 0; i--) {
      out[p + i] = ALPHABET[(int) (millis & 31)];
      millis >>>= 5;
    }
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    for (int i = 0; i < 16; i++) {
      out[p + 10 + i] = ALPHABET[bytes[i] & 31];
    }
    return new String(out);
  }

  /**
   * A new identifier of the same shape whose random part comes from a fast, guessable generator:
   * unique, time-ordered, but only for identifiers that grant nothing to whoever knows them (the
   * gateway's request ids, echoed to clients in {@code x-request-id}).
   */
  public String nextPublic(String prefix) {
    char[] out = new char[prefix.length() + 26];
    prefix.getChars(0, prefix.length(), out, 0);
    long millis = clock.millis();
    int p = prefix.length();
    for (int i = 9; i >= 0; i--) {
      out[p + i] = ALPHABET[(int) (millis & 31)];
      millis >>>= 5;
    }
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    long a = random.nextLong();
    long b = random.nextLong();
    for (int i = 0; i < 12; i++) {
      out[p + 10 + i] = ALPHABET[(int) (a & 31)];
      a >>>= 5;
    }
    for (int i = 12; i < 16; i++) {
      out[p + 10 + i] = ALPHABET[(int) (b & 31)];
      b >>>= 5;
    }
    return new String(out);
  }
}
