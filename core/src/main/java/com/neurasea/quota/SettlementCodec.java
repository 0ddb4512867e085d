package com.neurasea.quota;

import com.neurasea.model.AccountRef;
import com.neurasea.model.Meter;
import com.neurasea.model.PoolKey;
import com.neurasea.model.PriceId;
import com.neurasea.model.QuotaLevel;
import com.neurasea.model.TenantId;
import com.neurasea.model.TokenId;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.model.UserId;
import com.neurasea.spi.PoolCharge;
import com.neurasea.spi.Settlement;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Binary form of the journal's entries: a settlement, or the opening of a reservation (so that one a
 * crash left open can be recorded as expired). Strings are length-prefixed UTF-8, with -1 for null.
 */
final class SettlementCodec {
  static final byte SETTLED = 1;
  static final byte OPENED = 2;
  private static final QuotaLevel[] LEVELS = QuotaLevel.values();
  private static final Meter[] METERS = Meter.values();
  private static final UsageStatus[] STATUSES = UsageStatus.values();

  /** An opened reservation as the journal keeps it. */
  record Opened(String requestId, TenantId tenantId, UserId userId, TokenId tokenId, long startedAt) {}

  private SettlementCodec() {}

  /** A growable output buffer, reused per thread. */
  static final class Out {
    byte[] bytes = new byte[512];
    int length;

    void reset() {
      length = 0;
    }

    private void ensure(int more) {
      if (length + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
      }
    }

    void writeByte(int value) {
      ensure(1);
      bytes[length++] = (byte) value;
    }

    void writeLong(long value) {
      ensure(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytes[length++] = (byte) (value >>> shift);
      }
    }

    void writeInt(int value) {
      ensure(4);
      for (int shift = 24; shift >= 0; shift -= 8) {
        bytes[length++] = (byte) (value >>> shift);
      }
    }

    void writeString(String value) {
      if (value == null) {
        writeInt(-1);
        return;
      }
      int n = value.length();
      boolean ascii = true;
      for (int i = 0; i < n && ascii; i++) {
        ascii = value.charAt(i) < 0x80;
      }
      if (ascii) {
        writeInt(n);
        ensure(n);
        value.getBytes(0, n, bytes, length);
        length += n;
        return;
      }
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      writeInt(utf8.length);
      ensure(utf8.length);
      System.arraycopy(utf8, 0, bytes, length, utf8.length);
      length += utf8.length;
    }
  }

  /** Reads what {@link Out} wrote. */
  static final class In {
    private final byte[] bytes;
    private int position;

    In(byte[] bytes) {
      this.bytes = bytes;
    }

    int readByte() {
      return bytes[position++];
    }

    long readLong() {
      long value = 0;
      for (int i = 0; i < 8; i++) {
        value = (value << 8) | (bytes[position++] & 0xff);
      }
      return value;
    }

    int readInt() {
      int value = 0;
      for (int i = 0; i < 4; i++) {
        value = (value << 8) | (bytes[position++] & 0xff);
      }
      return value;
    }

    String readString() {
      int n = readInt();
      if (n < 0) {
        return null;
      }
      String value = new String(bytes, position, n, StandardCharsets.UTF_8);
      position += n;
      return value;
    }
  }

  static void writeSettlement(Out out, UsageRecord u, LocalDate day, LocalPool[] pools, long[] amounts) {
    out.writeByte(SETTLED);
    out.writeString(u.requestId());
    out.writeString(u.tenantId().value());
    out.writeString(u.userId() == null ? null : u.userId().value());
    out.writeString(u.tokenId() == null ? null : u.tokenId().value());
    out.writeString(u.model());
    out.writeString(u.channel());
    out.writeLong(u.promptTokens());
    out.writeLong(u.completionTokens());
    out.writeLong(u.cachedTokens());
    out.writeLong(u.cost());
    out.writeLong(u.uncharged());
    out.writeString(u.priceId() == null ? null : u.priceId().value());
    out.writeLong(u.multiplier());
    out.writeByte(u.status().ordinal());
    out.writeString(u.errorCode());
    out.writeLong(u.latencyMillis());
    out.writeLong(u.startedAt().toEpochMilli());
    out.writeLong(u.finishedAt().toEpochMilli());
    out.writeString(u.clientIp());
    out.writeString(u.userAgent());
    out.writeString(u.hostId());
    out.writeLong(day.toEpochDay());
    out.writeInt(pools.length);
    for (int i = 0; i < pools.length; i++) {
      PoolKey key = pools[i].key;
      out.writeString(key.account().tenantId().value());
      out.writeByte(key.account().level().ordinal());
      out.writeString(key.account().subjectId());
      out.writeByte(key.meter().ordinal());
      out.writeLong(key.windowStart());
      out.writeLong(amounts[i]);
    }
  }

  static void writeOpened(Out out, Reservation reservation) {
    Chain chain = reservation.chain;
    out.writeByte(OPENED);
    out.writeString(reservation.requestId);
    out.writeString(chain.tenantId().value());
    out.writeString(chain.userId() == null ? null : chain.userId().value());
    out.writeString(chain.tokenId() == null ? null : chain.tokenId().value());
    out.writeLong(reservation.startedAt);
  }

  /** Decodes one entry: a {@link Settlement} or an {@link Opened}. */
  static Object read(byte[] bytes) {
    In in = new In(bytes);
    int type = in.readByte();
    if (type == OPENED) {
      String requestId = in.readString();
      TenantId tenant = new TenantId(in.readString());
      String user = in.readString();
      String token = in.readString();
      return new Opened(requestId, tenant, user == null ? null : new UserId(user),
          token == null ? null : new TokenId(token), in.readLong());
    }
    if (type != SETTLED) {
      throw new IllegalStateException("unknown journal entry type " + type);
    }
    String requestId = in.readString();
    TenantId tenant = new TenantId(in.readString());
    String user = in.readString();
    String token = in.readString();
    String model = in.readString();
    String channel = in.readString();
    long prompt = in.readLong();
    long completion = in.readLong();
    long cached = in.readLong();
    long cost = in.readLong();
    long uncharged = in.readLong();
    String price = in.readString();
    long multiplier = in.readLong();
    UsageStatus status = STATUSES[in.readByte()];
    String errorCode = in.readString();
    long latency = in.readLong();
    Instant started = Instant.ofEpochMilli(in.readLong());
    Instant finished = Instant.ofEpochMilli(in.readLong());
    String ip = in.readString();
    String agent = in.readString();
    String host = in.readString();
    LocalDate day = LocalDate.ofEpochDay(in.readLong());
    int count = in.readInt();
    List<PoolCharge> charges = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      TenantId chargeTenant = new TenantId(in.readString());
      QuotaLevel level = LEVELS[in.readByte()];
      String subject = in.readString();
      Meter meter = METERS[in.readByte()];
      long window = in.readLong();
      charges.add(new PoolCharge(new PoolKey(new AccountRef(chargeTenant, level, subject), meter, window),
          in.readLong()));
    }
    UsageRecord usage = new UsageRecord(requestId, tenant, user == null ? null : new UserId(user),
        token == null ? null : new TokenId(token), model, channel, prompt, completion, cached, cost, uncharged,
        price == null ? null : new PriceId(price), multiplier, status, errorCode, latency, started, finished, ip,
        agent, host);
    return new Settlement(usage, day, charges);
  }
}
