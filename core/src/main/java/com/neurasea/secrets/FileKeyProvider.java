package com.neurasea.secrets;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.spi.KeyProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The default {@link KeyProvider}: a 32-byte master key in a file created on first use with
 * owner-only permissions ({@code rw-------}); each purpose gets its own key derived with
 * HMAC-SHA256(master, purpose). Losing the file invalidates every issued API token.
 */
public final class FileKeyProvider implements KeyProvider {
  private static final int KEY_BYTES = 32;
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private final byte[] master;

  private FileKeyProvider(byte[] master) {
    this.master = master;
  }

  /**
   * Opens the key file, creating it with a fresh random key if it does not exist.
   *
   * @param file the key file
   * @return the provider
   * @throws NeuraSeaException {@code FAILED_PRECONDITION} when the file is unreadable, of the wrong size,
   *     or cannot be created
   */
  public static FileKeyProvider open(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      if (!Files.exists(file)) {
        create(file);
      }
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length != KEY_BYTES) {
        throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION,
            "key file " + file + " holds " + bytes.length + " bytes, expected " + KEY_BYTES);
      }
      return new FileKeyProvider(bytes);
    } catch (IOException e) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION,
          "cannot read or create key file " + file + ": " + e.getMessage(), java.util.List.of(), e);
    }
  }

  @Override
  public byte[] key(String purpose) {
    Objects.requireNonNull(purpose, "purpose");
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(master, "HmacSHA256"));
      return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every JDK", e);
    }
  }

  private static void create(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    Path temp = Files.createTempFile(dir, ".key", ".tmp");
    try {
      trySetOwnerOnly(temp);
      Files.write(temp, key);
      try {
        // No REPLACE_EXISTING: when two processes race, the first key wins and both read it.
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file);
      }
    } catch (FileAlreadyExistsException e) {
      // Another process created it first; use theirs.
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void trySetOwnerOnly(Path path) throws IOException {
    try {
      Files.setPosixFilePermissions(path, OWNER_ONLY);
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system (Windows): the directory's ACLs protect the file.
    }
  }

  @Override
  public String toString() {
    return "FileKeyProvider[<redacted>]";
  }
}
