package com.neurasea.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private final PasswordHasher hasher = new PasswordHasher(64, 1, 1);

  @Test
  void hashesInPhcFormatAndVerifies() {
    String hash = hasher.hash("s3cret password");
    assertThat(hash).startsWith("$argon2id$v=19$m=64,t=1,p=1$").doesNotContain("s3cret");
    assertThat(hasher.verify("s3cret password", hash)).isTrue();
    assertThat(hasher.verify("s3cret passwore", hash)).isFalse();
    assertThat(hasher.hash("s3cret password")).isNotEqualTo(hash);
  }

  @Test
  void verifiesHashesMadeWithOtherParameters() {
    String strong = new PasswordHasher(1024, 2, 2).hash("pässwörd 密码");
    assertThat(hasher.verify("pässwörd 密码", strong)).isTrue();
  }

  @Test
  void malformedHashesNeverMatch() {
    assertThat(hasher.verify("x", "")).isFalse();
    assertThat(hasher.verify("x", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA")).isFalse();
    assertThat(hasher.verify("x", "$argon2id$v=19$m=64,t=1,p=1$!!!$AAAA")).isFalse();
    assertThat(hasher.verify("x", "$argon2id$v=19$m=zz,t=1,p=1$AAAA$AAAA")).isFalse();
  }

  @Test
  void knownAnswerFromTheReferenceImplementation() {
    // argon2 CLI: echo -n password | argon2 somesalt -id -t 2 -m 16 -p 4 -l 32
    String reference = "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo";
    assertThat(hasher.verify("password", reference)).isTrue();
  }
}
