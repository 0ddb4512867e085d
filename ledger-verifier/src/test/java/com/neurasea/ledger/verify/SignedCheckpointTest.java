package com.neurasea.ledger.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.ledger.verify.CheckpointException.Reason;
import java.security.KeyPair;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SignedCheckpointTest {

  private static final KeyPair KEYS = Ed25519Keys.fromSeed(new byte[32]);
  private static final KeyPair OTHER_KEYS = Ed25519Keys.fromSeed(filled(1));
  private static final Checkpoint CHECKPOINT = new Checkpoint(
      "neurasea.example.com/privacy-ledger", 8, Rfc6962Vectors.ROOTS.get(8), 1_735_689_600_000L);

  @Test
  void bodyIsTheDocumentedCanonicalText() {
    assertThat(CHECKPOINT.body()).isEqualTo("neurasea-checkpoint/v1\n"
        + "neurasea.example.com/privacy-ledger\n"
        + "8\n"
        + Base64.getEncoder().encodeToString(Rfc6962Vectors.ROOTS.get(8)) + "\n"
        + "1735689600000\n");
    assertThat(Checkpoint.parseBody(CHECKPOINT.body())).isEqualTo(CHECKPOINT);
  }

  @Test
  void signAndVerifyRoundTripThroughTheSerializedForm() throws CheckpointException {
    SignedCheckpoint signed = SignedCheckpoint.sign(CHECKPOINT, KEYS);
    signed.verify(KEYS.getPublic());
    String text = signed.serialize();
    assertThat(text).startsWith(CHECKPOINT.body())
        .contains("\nsignature " + Ed25519Keys.keyId(KEYS.getPublic()) + " ");
    SignedCheckpoint parsed = SignedCheckpoint.parse(text);
    assertThat(parsed).isEqualTo(signed);
    assertThat(parsed.serialize()).isEqualTo(text);
    parsed.verify(KEYS.getPublic());
  }

  @Test
  void anyModifiedFieldOrSignatureFailsVerification() {
    SignedCheckpoint signed = SignedCheckpoint.sign(CHECKPOINT, KEYS);
    String keyId = signed.keyId();
    byte[] signature = signed.signature();
    byte[] otherRoot = CHECKPOINT.root();
    otherRoot[0] ^= 1;
    Checkpoint[] modified = {
      new Checkpoint("neurasea.example.com/other", 8, CHECKPOINT.root(), 1_735_689_600_000L),
      new Checkpoint(CHECKPOINT.origin(), 9, CHECKPOINT.root(), 1_735_689_600_000L),
      new Checkpoint(CHECKPOINT.origin(), 8, otherRoot, 1_735_689_600_000L),
      new Checkpoint(CHECKPOINT.origin(), 8, CHECKPOINT.root(), 1_735_689_600_001L),
    };
    for (Checkpoint checkpoint : modified) {
      assertReason(new SignedCheckpoint(checkpoint, keyId, signature), Reason.SIGNATURE_INVALID);
    }
    for (int bit = 0; bit < 512; bit += 37) {
      byte[] flipped = signature.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      assertReason(new SignedCheckpoint(CHECKPOINT, keyId, flipped), Reason.SIGNATURE_INVALID);
    }
    assertReason(SignedCheckpoint.sign(CHECKPOINT, keyId, OTHER_KEYS.getPrivate()),
        Reason.SIGNATURE_INVALID);
    assertThatThrownBy(() -> signed.verify(OTHER_KEYS.getPublic()))
        .isInstanceOfSatisfying(CheckpointException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.KEY_ID_MISMATCH));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "",
    "neurasea-checkpoint/v1\n",
    "neurasea-checkpoint/v2\nNAME\n8\nROOT\n1\nSIG",
    "neurasea-checkpoint/v1\nNAME\n08\nROOT\n1\nSIG",
    "neurasea-checkpoint/v1\nNAME\n-8\nROOT\n1\nSIG",
    "neurasea-checkpoint/v1\nNAME\n+8\nROOT\n1\nSIG",
    "neurasea-checkpoint/v1\nNAME\n99999999999999999999\nROOT\n1\nSIG",
    "neurasea-checkpoint/v1\nNAME\n8\nAAAA\n1\nSIG",
    "neurasea-checkpoint/v1\nNAME\n8\nROOT\n1.5\nSIG",
    "neurasea-checkpoint/v1\nNAME\n8\nROOT\n1\nSIG\nextra",
    "neurasea-checkpoint/v1\n\n8\nROOT\n1\nSIG",
    "neurasea-checkpoint/v1\n NAME\n8\nROOT\n1\nSIG",
    "neurasea-checkpoint/v1\nNAME\n8\nROOT\n1\nsignature KEY",
    "neurasea-checkpoint/v1\nNAME\n8\nROOT\n1\nsignature bad/key AAAA",
    "neurasea-checkpoint/v1\nNAME\n8\nROOT\n1\nsignature KEY AAAA",
    "neurasea-checkpoint/v1\nNAME\n8\nROOT \n1\nSIG",
    "neurasea-checkpoint/v1\r\nNAME\n8\nROOT\n1\nSIG",
  })
  void malformedSerializedCheckpointsAreRejected(String template) {
    SignedCheckpoint signed = SignedCheckpoint.sign(CHECKPOINT, KEYS);
    String root = Base64.getEncoder().encodeToString(CHECKPOINT.root());
    String sig = "signature " + signed.keyId() + " "
        + Base64.getEncoder().encodeToString(signed.signature());
    String text = template.replace("NAME", CHECKPOINT.origin()).replace("ROOT", root)
        .replace("SIG", sig).replace("KEY", signed.keyId()) + "\n";
    assertThatThrownBy(() -> SignedCheckpoint.parse(text))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatCode(() -> SignedCheckpoint.parse(signed.serialize())).doesNotThrowAnyException();
  }

  @Test
  void missingFinalLineBreakAndNonCanonicalBase64AreRejected() {
    String text = SignedCheckpoint.sign(CHECKPOINT, KEYS).serialize();
    assertThatThrownBy(() -> SignedCheckpoint.parse(text.substring(0, text.length() - 1)))
        .isInstanceOf(IllegalArgumentException.class);
    String unpadded = text.replace("=\n1735689600000", "\n1735689600000");
    assertThat(unpadded).isNotEqualTo(text);
    assertThatThrownBy(() -> SignedCheckpoint.parse(unpadded))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recordsRejectInvalidFields() {
    byte[] root = CHECKPOINT.root();
    assertThatThrownBy(() -> new Checkpoint("origin\nsplit", 1, root, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Checkpoint("o", -1, root, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Checkpoint("o", 1, new byte[31], 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Checkpoint("o", 1, root, -5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SignedCheckpoint(CHECKPOINT, "k", new byte[63]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SignedCheckpoint(CHECKPOINT, "has space", new byte[64]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recordsCopyTheirByteArrays() {
    byte[] root = Rfc6962Vectors.ROOTS.get(3).clone();
    Checkpoint checkpoint = new Checkpoint("o", 3, root, 0);
    root[0] ^= 1;
    checkpoint.root()[1] ^= 1;
    assertThat(checkpoint.root()).isEqualTo(Rfc6962Vectors.ROOTS.get(3));
  }

  private static void assertReason(SignedCheckpoint signed, Reason reason) {
    assertThatThrownBy(() -> signed.verify(KEYS.getPublic()))
        .isInstanceOfSatisfying(CheckpointException.class,
            e -> assertThat(e.reason()).isEqualTo(reason));
  }

  private static byte[] filled(int value) {
    byte[] seed = new byte[32];
    java.util.Arrays.fill(seed, (byte) value);
    return seed;
  }
}
