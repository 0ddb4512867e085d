package com.neurasea.identity;

import com.neurasea.model.NeuraSeaException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 address range in CIDR notation; a bare address is a range of one. */
final class AddressRange {
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  private final byte[] network;
  private final int prefixLength;

  private AddressRange(byte[] network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  static AddressRange parse(String cidr, String field) {
    int slash = cidr.indexOf('/');
    String address = slash < 0 ? cidr : cidr.substring(0, slash);
    byte[] bytes = literal(address);
    if (bytes == null) {
      throw NeuraSeaException.invalid(field, "'" + cidr + "' is not an IP address or CIDR range");
    }
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(cidr.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw NeuraSeaException.invalid(field, "'" + cidr + "' has a prefix length outside 0-" + bits);
      }
    }
    return new AddressRange(bytes, prefix);
  }

  boolean contains(String address) {
    byte[] candidate = literal(address);
    if (candidate == null || candidate.length != network.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (candidate[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (candidate[full] & mask) == (network[full] & mask);
  }

  /** Parses an address literal without ever touching DNS; null when it is not one. */
  private static byte[] literal(String address) {
    if (address == null || address.isEmpty() || !LITERAL.matcher(address).matches()) {
      return null;
    }
    if (address.indexOf(':') < 0) {
      String[] parts = address.split("\\.", -1);
      if (parts.length != 4) {
        return null;
      }
      byte[] out = new byte[4];
      for (int i = 0; i < 4; i++) {
        if (parts[i].isEmpty() || parts[i].length() > 3) {
          return null;
        }
        int value = Integer.parseInt(parts[i]);
        if (value > 255) {
          return null;
        }
        out[i] = (byte) value;
      }
      return out;
    }
    try {
      // Only hex, ':' and '.' reach here, so this parses a literal and never resolves a name.
      byte[] bytes = InetAddress.getByName(address).getAddress();
      return bytes;
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
