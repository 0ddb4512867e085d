package com.neurasea.ledger.verify;

import static com.neurasea.ledger.verify.Rfc6962Vectors.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Ed25519KeysTest {

  /** RFC 8032 §7.1, TEST 1. */
  private static final byte[] SEED =
      hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  private static final byte[] PUBLIC =
      hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  private static final byte[] SIGNATURE_OF_EMPTY = hex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

  @Test
  void derivesTheRfc8032PublicKeyAndSignature() throws Exception {
    KeyPair pair = Ed25519Keys.fromSeed(SEED);
    assertThat(Ed25519Keys.encode(pair.getPublic())).isEqualTo(PUBLIC);
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(pair.getPrivate());
    assertThat(signer.sign()).isEqualTo(SIGNATURE_OF_EMPTY);
  }

  @Test
  void derivedPublicKeysVerifyTheJdksSignaturesForRandomSeeds() throws Exception {
    Random random = new Random(7);
    for (int i = 0; i < 20; i++) {
      byte[] seed = new byte[32];
      random.nextBytes(seed);
      KeyPair pair = Ed25519Keys.fromSeed(seed);
      byte[] message = ("message " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(pair.getPrivate());
      signer.update(message);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(pair.getPublic());
      verifier.update(message);
      assertThat(verifier.verify(signature)).isTrue();
      assertThat(Ed25519Keys.fromSeed(seed).getPublic()).isEqualTo(pair.getPublic());
    }
  }

  @Test
  void encodingRoundTripsKeysOfTheJdkGenerator() throws Exception {
    PublicKey generated = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
    assertThat(Ed25519Keys.decode(Ed25519Keys.encode(generated))).isEqualTo(generated);
    assertThat(Ed25519Keys.parsePublicKey(Ed25519Keys.formatPublicKey(generated) + "\n"))
        .isEqualTo(generated);
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(generated.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    assertThat(Ed25519Keys.parsePublicKey(pem)).isEqualTo(generated);
  }

  @Test
  void keyIdIsStableAndDistinguishesKeys() {
    PublicKey key = Ed25519Keys.fromSeed(SEED).getPublic();
    assertThat(Ed25519Keys.keyId(key)).matches("[0-9a-f]{16}")
        .isEqualTo(Ed25519Keys.keyId(Ed25519Keys.decode(PUBLIC)));
    assertThat(Ed25519Keys.keyId(Ed25519Keys.fromSeed(new byte[32]).getPublic()))
        .isNotEqualTo(Ed25519Keys.keyId(key));
  }

  @Test
  void rejectsMalformedKeyMaterial() {
    assertThatThrownBy(() -> Ed25519Keys.fromSeed(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ed25519Keys.decode(new byte[33]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ed25519Keys.parsePublicKey("ed25519 not-base64!"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ed25519Keys.parsePublicKey("rsa AAAA"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ed25519Keys.parsePublicKey(
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] offCurve = new byte[32];
    offCurve[0] = 2;
    assertThatThrownBy(() -> Ed25519Keys.decode(offCurve))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] nonCanonical = new byte[32];
    java.util.Arrays.fill(nonCanonical, (byte) 0xff);
    nonCanonical[31] = 0x7f;
    assertThatThrownBy(() -> Ed25519Keys.decode(nonCanonical))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
