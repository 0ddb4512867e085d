package com.neurasea.routing;

import static com.neurasea.Errors.thrown;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.spi.KeyProvider;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Channel credentials sealed for the store. */
class CredentialCipherTest {
  private static final String SECRET = "sk-proj-VerySecretKey-0123456789abcdef";

  private static KeyProvider keys(int seed) {
    byte[] material = new byte[32];
    Arrays.fill(material, (byte) seed);
    // the cipher wipes what it is given: hand out a copy every time
    return purpose -> {
      assertThat(purpose).isEqualTo(CredentialCipher.PURPOSE);
      return material.clone();
    };
  }

  @Test
  void aSealedCredentialOpensAgain() {
    CredentialCipher cipher = new CredentialCipher(keys(1));
    String sealed = cipher.seal("chn_one", SECRET);
    assertThat(sealed).startsWith("v1:");
    assertThat(cipher.open("chn_one", sealed)).isEqualTo(SECRET);
    // another instance on the same key opens it too (another host, a restart)
    assertThat(new CredentialCipher(keys(1)).open("chn_one", sealed)).isEqualTo(SECRET);
    String unicode = "ключ-🔑-" + "x".repeat(4096 - 10);
    assertThat(cipher.open("chn_one", cipher.seal("chn_one", unicode))).isEqualTo(unicode);
    assertThat(cipher.open("chn_one", cipher.seal("chn_one", ""))).isEmpty();
    assertThat(cipher.open("chn_one", null)).isNull();
  }

  @Test
  void theSealedTextNeverHoldsTheSecret() {
    CredentialCipher cipher = new CredentialCipher(keys(1));
    String sealed = cipher.seal("chn_one", SECRET);
    assertThat(sealed).doesNotContain(SECRET).doesNotContain("VerySecret").doesNotContain("0123456789abcdef");
    byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
    assertThat(new String(raw, StandardCharsets.ISO_8859_1)).doesNotContain("VerySecret");
    // nonce + ciphertext + 16-byte tag
    assertThat(raw).hasSize(12 + SECRET.getBytes(StandardCharsets.UTF_8).length + 16);
    // a fresh nonce every time: the same secret never seals the same way twice
    assertThat(cipher.seal("chn_one", SECRET)).isNotEqualTo(sealed);
  }

  @Test
  void aCredentialCopiedToAnotherChannelDoesNotOpen() {
    CredentialCipher cipher = new CredentialCipher(keys(1));
    String sealed = cipher.seal("chn_one", SECRET);
    NeuraSeaException e = thrown(() -> cipher.open("chn_two", sealed));
    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(e.getMessage()).contains("chn_two").contains("cannot be opened").doesNotContain(SECRET);
  }

  @Test
  void anotherKeyDoesNotOpenIt() {
    String sealed = new CredentialCipher(keys(1)).seal("chn_one", SECRET);
    NeuraSeaException e = thrown(() -> new CredentialCipher(keys(2)).open("chn_one", sealed));
    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(e.getMessage()).contains("chn_one").contains("key");
  }

  @Test
  void tamperedOrForeignTextDoesNotOpen() {
    CredentialCipher cipher = new CredentialCipher(keys(1));
    String sealed = cipher.seal("chn_one", SECRET);
    byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
    raw[raw.length - 20] ^= 1;
    String flipped = "v1:" + Base64.getEncoder().encodeToString(raw);
    for (String bad : new String[] {flipped, SECRET, "v2:" + sealed.substring(3), "v1:not base64!", "v1:",
        "v1:" + Base64.getEncoder().encodeToString(new byte[5])}) {
      assertThat(thrown(() -> cipher.open("chn_one", bad)).code()).as(bad).isEqualTo(ErrorCode.INTERNAL);
    }
  }

  @Test
  void theHintShowsTheLastFourCharactersOfLongKeysOnly() {
    assertThat(CredentialCipher.hint("sk-abcdefghijkl")).isEqualTo("…ijkl");
    assertThat(CredentialCipher.hint("123456789012")).isEqualTo("…9012");
    assertThat(CredentialCipher.hint("12345678901")).isEmpty();
    assertThat(CredentialCipher.hint("short")).isEmpty();
    assertThat(CredentialCipher.hint("")).isEmpty();
    assertThat(CredentialCipher.hint(null)).isEmpty();
    assertThat(CredentialCipher.hint(SECRET)).hasSize(5).doesNotContain("VerySecret");
  }
}
