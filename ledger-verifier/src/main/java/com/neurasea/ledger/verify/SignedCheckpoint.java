package com.neurasea.ledger.verify;

import com.neurasea.ledger.verify.CheckpointException.Reason;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A {@link Checkpoint} with an Ed25519 signature over its canonical body.
 *
 * <p>The serialized form ({@link #serialize()}, {@link #parse(String)}) is the five body lines
 * followed by one signature line, each ending in {@code \n}:
 *
 * <pre>
 * neurasea-checkpoint/v1
 * neurasea.example.com/privacy-ledger
 * 1024
 * 3q2+7w...base64 root...=
 * 1735689600000
 * signature 1f2e3d4c5b6a7988 base64-of-the-64-byte-signature==
 * </pre>
 *
 * <p>The key id is {@link Ed25519Keys#keyId(PublicKey)} of the signing key; it names which key to
 * verify with and is checked by {@link #verify(PublicKey)}. It is not covered by the signature.
 *
 * @param checkpoint the signed statement
 * @param keyId the id of the signing key: 1 to 64 of {@code [A-Za-z0-9._:-]}
 * @param signature the 64-byte Ed25519 signature of {@link Checkpoint#bodyBytes()} (copied)
 */
public record SignedCheckpoint(Checkpoint checkpoint, String keyId, byte[] signature) {

  /** The length of an Ed25519 signature. */
  public static final int SIGNATURE_SIZE = 64;

  private static final String SIGNATURE_PREFIX = "signature ";
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  /**
   * Validates and copies the fields.
   *
   * @param checkpoint the signed statement
   * @param keyId the id of the signing key
   * @param signature the 64-byte signature
   * @throws IllegalArgumentException if the key id or the signature length is malformed
   */
  public SignedCheckpoint {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(signature, "signature");
    if (!KEY_ID.matcher(keyId).matches()) {
      throw new IllegalArgumentException(
          "key id must be 1 to 64 of [A-Za-z0-9._:-]: " + TextFields.abbreviate(keyId));
    }
    if (signature.length != SIGNATURE_SIZE) {
      throw new IllegalArgumentException(
          "signature must be " + SIGNATURE_SIZE + " bytes, is " + signature.length);
    }
    signature = signature.clone();
  }

  /**
   * Signs a checkpoint with a key pair, naming the key by {@link Ed25519Keys#keyId(PublicKey)}.
   *
   * @param checkpoint the checkpoint
   * @param keyPair an Ed25519 key pair
   * @return the signed checkpoint
   */
  public static SignedCheckpoint sign(Checkpoint checkpoint, KeyPair keyPair) {
    Objects.requireNonNull(keyPair, "keyPair");
    return sign(checkpoint, Ed25519Keys.keyId(keyPair.getPublic()), keyPair.getPrivate());
  }

  /**
   * Signs a checkpoint with a private key whose public key has the given id.
   *
   * @param checkpoint the checkpoint
   * @param keyId {@link Ed25519Keys#keyId(PublicKey)} of the matching public key
   * @param privateKey an Ed25519 private key
   * @return the signed checkpoint
   * @throws IllegalArgumentException if the key is not an Ed25519 private key
   */
  public static SignedCheckpoint sign(Checkpoint checkpoint, String keyId, PrivateKey privateKey) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(privateKey, "privateKey");
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(privateKey);
      signer.update(checkpoint.bodyBytes());
      return new SignedCheckpoint(checkpoint, keyId, signer.sign());
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("not an Ed25519 private key", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's Ed25519 provider failed", e);
    }
  }

  /**
   * Returns the signature.
   *
   * @return a copy of the 64-byte signature
   */
  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /**
   * Checks that this checkpoint names the given key and carries its valid signature.
   *
   * @param publicKey the Ed25519 public key to verify with
   * @throws CheckpointException with {@code KEY_ID_MISMATCH} or {@code SIGNATURE_INVALID}
   */
  public void verify(PublicKey publicKey) throws CheckpointException {
    String expected = Ed25519Keys.keyId(publicKey);
    if (!expected.equals(keyId)) {
      throw new CheckpointException(Reason.KEY_ID_MISMATCH,
          "checkpoint names key " + keyId + " but the verifying key is " + expected);
    }
    if (!signatureMatches(publicKey)) {
      throw new CheckpointException(Reason.SIGNATURE_INVALID,
          "signature of key " + keyId + " does not match checkpoint of size "
              + checkpoint.size());
    }
  }

  private boolean signatureMatches(PublicKey publicKey) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(publicKey);
      verifier.update(checkpoint.bodyBytes());
      return verifier.verify(signature);
    } catch (InvalidKeyException | SignatureException e) {
      return false;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK's Ed25519 provider is unavailable", e);
    }
  }

  /**
   * Writes the six-line serialized form described in the class documentation.
   *
   * @return the text, ending with a line break
   */
  public String serialize() {
    return checkpoint.body() + SIGNATURE_PREFIX + keyId + ' '
        + Base64.getEncoder().encodeToString(signature) + '\n';
  }

  /**
   * Parses the serialized form, exactly as {@link #serialize()} writes it.
   *
   * @param text the text
   * @return the signed checkpoint (its signature is not checked here)
   * @throws IllegalArgumentException naming the first malformed line
   */
  public static SignedCheckpoint parse(String text) {
    Objects.requireNonNull(text, "text");
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("signed checkpoint must end with a line break");
    }
    String[] lines = text.split("\n", -1);
    int expected = Checkpoint.bodyLines() + 1;
    if (lines.length != expected + 1) {
      throw new IllegalArgumentException(
          "signed checkpoint must have " + expected + " lines, has " + (lines.length - 1));
    }
    return fromLines(lines, 0);
  }

  /** Parses the six lines starting at {@code from}; the caller ensures they exist. */
  static SignedCheckpoint fromLines(String[] lines, int from) {
    Checkpoint checkpoint = Checkpoint.fromLines(lines, from);
    String line = lines[from + Checkpoint.bodyLines()];
    if (!line.startsWith(SIGNATURE_PREFIX)) {
      throw new IllegalArgumentException(
          "expected 'signature <key id> <base64>', found " + TextFields.abbreviate(line));
    }
    String[] parts = line.substring(SIGNATURE_PREFIX.length()).split(" ", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException(
          "expected 'signature <key id> <base64>', found " + TextFields.abbreviate(line));
    }
    return new SignedCheckpoint(checkpoint, parts[0], TextFields.base64(parts[1], "signature"));
  }

  static int lineCount() {
    return Checkpoint.bodyLines() + 1;
  }

  /**
   * Compares all fields, the signature by content.
   *
   * @param other the object to compare with
   * @return true if other is a signed checkpoint with equal fields
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof SignedCheckpoint that
        && checkpoint.equals(that.checkpoint)
        && keyId.equals(that.keyId)
        && Arrays.equals(signature, that.signature);
  }

  /**
   * Hashes all fields, the signature by content.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Objects.hash(checkpoint, keyId, Arrays.hashCode(signature));
  }

  /**
   * Describes the signed checkpoint without the signature bytes.
   *
   * @return a one-line description
   */
  @Override
  public String toString() {
    return "SignedCheckpoint[" + checkpoint + ", keyId=" + keyId + "]";
  }
}
