package com.neurasea.ledger.verify;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Ed25519 keys for checkpoint signing, using only the JDK's {@code Ed25519} provider.
 *
 * <p>{@link #fromSeed(byte[])} turns 32 bytes of key material (the RFC 8032 private key, as a
 * {@code KeyProvider} yields it) into a key pair. The JDK builds the private key from the seed
 * directly ({@link EdECPrivateKeySpec}); it has no public API to derive the public key, so this
 * class computes {@code A = s·B} per RFC 8032 §5.1.5 with {@link BigInteger} arithmetic. This
 * runs once per key and handles no secret beyond what the JDK key object holds, but it is not
 * constant-time: derive keys on trusted hosts only.
 *
 * <p>Public keys travel as their 32-byte RFC 8032 encoding: {@link #encode(PublicKey)}, {@link
 * #decode(byte[])}, and as text ({@link #formatPublicKey(PublicKey)}: {@code ed25519
 * <base64>}), or as a PEM {@code PUBLIC KEY} block ({@link #parsePublicKey(String)} reads both).
 */
public final class Ed25519Keys {

  /** The length of an Ed25519 seed (private key) and of an encoded public key. */
  public static final int KEY_SIZE = 32;

  private static final String TEXT_PREFIX = "ed25519 ";
  private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
  private static final BigInteger D = BigInteger.valueOf(-121665)
      .multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
  private static final BigInteger BASE_X = new BigInteger(
      "15112221349535400772501151409588531511454012693041857206046113283949847762202");
  private static final BigInteger BASE_Y = new BigInteger(
      "46316835694926478169428394003475163141307993866256225615783033603165251855960");

  private Ed25519Keys() {}

  /**
   * Derives the Ed25519 key pair of a 32-byte seed, deterministically.
   *
   * @param seed the private key material, exactly {@link #KEY_SIZE} bytes (not retained)
   * @return the key pair; signing with its private key is the JDK's standard Ed25519
   * @throws IllegalArgumentException if the seed is not 32 bytes
   */
  public static KeyPair fromSeed(byte[] seed) {
    Objects.requireNonNull(seed, "seed");
    if (seed.length != KEY_SIZE) {
      throw new IllegalArgumentException("an Ed25519 seed is " + KEY_SIZE + " bytes");
    }
    try {
      KeyFactory factory = KeyFactory.getInstance("Ed25519");
      PrivateKey privateKey = factory.generatePrivate(
          new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed.clone()));
      return new KeyPair(decode(publicKeyBytes(seed)), privateKey);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's Ed25519 provider is unavailable", e);
    }
  }

  /**
   * Encodes a public key as its 32-byte RFC 8032 form.
   *
   * @param publicKey an Ed25519 public key
   * @return the encoding: y little-endian, the top bit holding the parity of x
   * @throws IllegalArgumentException if the key is not an Ed25519 key
   */
  public static byte[] encode(PublicKey publicKey) {
    Objects.requireNonNull(publicKey, "publicKey");
    if (!(publicKey instanceof EdECPublicKey edKey)
        || !"Ed25519".equalsIgnoreCase(edKey.getParams().getName())) {
      throw new IllegalArgumentException("not an Ed25519 public key: " + publicKey.getAlgorithm());
    }
    EdECPoint point = edKey.getPoint();
    return encodePoint(point.getY(), point.isXOdd());
  }

  /**
   * Decodes a 32-byte RFC 8032 public key.
   *
   * @param encoded the encoding
   * @return the public key
   * @throws IllegalArgumentException if the bytes are not an Ed25519 public key encoding
   */
  public static PublicKey decode(byte[] encoded) {
    Objects.requireNonNull(encoded, "encoded");
    if (encoded.length != KEY_SIZE) {
      throw new IllegalArgumentException("an Ed25519 public key is " + KEY_SIZE + " bytes");
    }
    byte[] littleEndian = encoded.clone();
    boolean xOdd = (littleEndian[KEY_SIZE - 1] & 0x80) != 0;
    littleEndian[KEY_SIZE - 1] &= 0x7f;
    BigInteger y = fromLittleEndian(littleEndian);
    if (y.compareTo(P) >= 0) {
      throw new IllegalArgumentException("not a canonical Ed25519 public key");
    }
    if (!onCurve(y, xOdd)) {
      throw new IllegalArgumentException("not a point of the Ed25519 curve");
    }
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(
          new EdECPublicKeySpec(NamedParameterSpec.ED25519, new EdECPoint(xOdd, y)));
    } catch (InvalidKeySpecException e) {
      throw new IllegalArgumentException("not an Ed25519 public key", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK's Ed25519 provider is unavailable", e);
    }
  }

  /**
   * Returns the key id that checkpoints signed by this key carry: the first 8 bytes of {@code
   * SHA-256("neurasea-ledger-key/v1\n" || encoded key)}, as 16 lower-case hex digits.
   *
   * @param publicKey an Ed25519 public key
   * @return the key id
   */
  public static String keyId(PublicKey publicKey) {
    byte[] encoded = encode(publicKey);
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update("neurasea-ledger-key/v1\n".getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(Arrays.copyOf(digest.digest(encoded), 8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  /**
   * Formats a public key as one line of text: {@code ed25519 <base64 of the 32-byte encoding>}.
   *
   * @param publicKey an Ed25519 public key
   * @return the line, without a line break
   */
  public static String formatPublicKey(PublicKey publicKey) {
    return TEXT_PREFIX + Base64.getEncoder().encodeToString(encode(publicKey));
  }

  /**
   * Parses a public key file: either the line written by {@link #formatPublicKey(PublicKey)} or a
   * PEM {@code -----BEGIN PUBLIC KEY-----} block (X.509 SubjectPublicKeyInfo, as {@code openssl
   * pkey -pubout} writes). Surrounding whitespace is ignored.
   *
   * @param text the file's content
   * @return the public key
   * @throws IllegalArgumentException if the text is neither form or not an Ed25519 key
   */
  public static PublicKey parsePublicKey(String text) {
    Objects.requireNonNull(text, "text");
    String trimmed = text.strip();
    if (trimmed.startsWith(TEXT_PREFIX)) {
      return decode(TextFields.base64(trimmed.substring(TEXT_PREFIX.length()), "public key"));
    }
    String begin = "-----BEGIN PUBLIC KEY-----";
    String end = "-----END PUBLIC KEY-----";
    if (!trimmed.startsWith(begin) || !trimmed.endsWith(end)) {
      throw new IllegalArgumentException(
          "a public key file holds 'ed25519 <base64>' or a PEM PUBLIC KEY block");
    }
    String body = trimmed.substring(begin.length(), trimmed.length() - end.length())
        .replaceAll("\\s+", "");
    try {
      PublicKey key = KeyFactory.getInstance("Ed25519")
          .generatePublic(new X509EncodedKeySpec(TextFields.base64(body, "PEM body")));
      encode(key);
      return key;
    } catch (InvalidKeySpecException e) {
      throw new IllegalArgumentException("the PEM block is not an Ed25519 public key", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK's Ed25519 provider is unavailable", e);
    }
  }

  /** RFC 8032 §5.1.5: A = s·B with s the clamped first half of SHA-512(seed). */
  private static byte[] publicKeyBytes(byte[] seed) throws NoSuchAlgorithmException {
    byte[] h = MessageDigest.getInstance("SHA-512").digest(seed);
    byte[] scalarBytes = Arrays.copyOf(h, KEY_SIZE);
    Arrays.fill(h, (byte) 0);
    scalarBytes[0] &= (byte) 0xf8;
    scalarBytes[KEY_SIZE - 1] &= 0x7f;
    scalarBytes[KEY_SIZE - 1] |= 0x40;
    BigInteger s = fromLittleEndian(scalarBytes);
    Arrays.fill(scalarBytes, (byte) 0);
    BigInteger[] a = multiply(s, new BigInteger[] {BASE_X, BASE_Y});
    return encodePoint(a[1], a[0].testBit(0));
  }

  /** RFC 8032 §5.1.3: a y has a point iff x² = (y² − 1) / (d·y² + 1) is a square mod p. */
  private static boolean onCurve(BigInteger y, boolean xOdd) {
    BigInteger y2 = y.multiply(y).mod(P);
    BigInteger x2 = y2.subtract(BigInteger.ONE)
        .multiply(D.multiply(y2).add(BigInteger.ONE).modInverse(P)).mod(P);
    if (x2.signum() == 0) {
      return !xOdd;
    }
    return x2.modPow(P.subtract(BigInteger.ONE).shiftRight(1), P).equals(BigInteger.ONE);
  }

  /** Double-and-add over affine twisted Edwards coordinates; the neutral element is (0, 1). */
  private static BigInteger[] multiply(BigInteger scalar, BigInteger[] point) {
    BigInteger[] result = {BigInteger.ZERO, BigInteger.ONE};
    for (int i = scalar.bitLength() - 1; i >= 0; i--) {
      result = add(result, result);
      if (scalar.testBit(i)) {
        result = add(result, point);
      }
    }
    return result;
  }

  /** x3 = (x1y2 + x2y1) / (1 + d·x1x2y1y2), y3 = (y1y2 + x1x2) / (1 − d·x1x2y1y2), for a = −1. */
  private static BigInteger[] add(BigInteger[] p, BigInteger[] q) {
    BigInteger x1 = p[0];
    BigInteger y1 = p[1];
    BigInteger x2 = q[0];
    BigInteger y2 = q[1];
    BigInteger t = D.multiply(x1).multiply(x2).multiply(y1).multiply(y2).mod(P);
    BigInteger x3 = x1.multiply(y2).add(x2.multiply(y1))
        .multiply(BigInteger.ONE.add(t).modInverse(P)).mod(P);
    BigInteger y3 = y1.multiply(y2).add(x1.multiply(x2))
        .multiply(BigInteger.ONE.subtract(t).mod(P).modInverse(P)).mod(P);
    return new BigInteger[] {x3, y3};
  }

  private static byte[] encodePoint(BigInteger y, boolean xOdd) {
    byte[] bigEndian = y.toByteArray();
    byte[] out = new byte[KEY_SIZE];
    for (int i = 0; i < KEY_SIZE && i < bigEndian.length; i++) {
      out[i] = bigEndian[bigEndian.length - 1 - i];
    }
    if (xOdd) {
      out[KEY_SIZE - 1] |= (byte) 0x80;
    }
    return out;
  }

  private static BigInteger fromLittleEndian(byte[] littleEndian) {
    byte[] bigEndian = new byte[littleEndian.length];
    for (int i = 0; i < littleEndian.length; i++) {
      bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
    }
    return new BigInteger(1, bigEndian);
  }
}
