package com.neurasea.spi;

import java.util.HexFormat;

/** Small value helpers shared by the ledger records. */
final class LedgerValues {
  private static final HexFormat HEX = HexFormat.of();

  private LedgerValues() {}

  static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }
}
