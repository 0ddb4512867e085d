package com.neurasea.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileKeyProviderTest {
  @TempDir Path dir;

  @Test
  void createsAnOwnerOnlyKeyFileOnceAndDerivesStableKeysPerPurpose() throws Exception {
    Path file = dir.resolve("sub/neurasea.key");
    FileKeyProvider first = FileKeyProvider.open(file);
    assertThat(Files.size(file)).isEqualTo(32);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    FileKeyProvider second = FileKeyProvider.open(file);
    assertThat(second.key("a")).isEqualTo(first.key("a")).hasSize(32);
    assertThat(first.key("a")).isNotEqualTo(first.key("b"));
    assertThat(first.toString()).doesNotContain(new String(first.key("a")));
  }

  @Test
  void aKeyFileOfTheWrongSizeIsRefused() throws Exception {
    Path file = dir.resolve("bad.key");
    Files.write(file, new byte[7]);
    assertThatThrownBy(() -> FileKeyProvider.open(file)).isInstanceOf(NeuraSeaException.class)
        .satisfies(e -> assertThat(((NeuraSeaException) e).code()).isEqualTo(ErrorCode.FAILED_PRECONDITION))
        .hasMessageContaining("bad.key");
  }
}
