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

    /** A non-negative number in 7-bit groups, low first (1 byte below 128, 6 for an epoch millisecond). */
    void writeVarLong(long value) {
      ensure(10);
      while ((value & ~0x7FL) != 0) {
        bytes[length++] = (byte) ((value & 0x7F) | 0x80);
        value >>>= 7;
      }
      bytes[length++] = (byte) value;
    }

    void writeString(String value) {
      if (value == null) {
        writeVarLong(0);
        return;
      }
      int n = value.length();
      boolean ascii = true;
      for (int i = 0; i < n && ascii; i++) {
        ascii = value.charAt(i) < 0x80;
      }
      if (ascii) {
        writeVarLong(n + 1L);
        ensure(n);
        value.getBytes(0, n, bytes, length);
        length += n;
        return;
      }
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      writeVarLong(utf8.length + 1L);
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

    long readVarLong() {
      long value = 0;
      for (int shift = 0; ; shift += 7) {
        byte b = bytes[position++];
        value |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return value;
        }
      }
    }

    String readString() {
      int n = (int) readVarLong() - 1;
      if (n < 0) {
        return null;
      }
      String value = new String(bytes, position, n, StandardCharsets.UTF_8);
      position += n;
      return value;
    }
  }

  /** How a charge's account subject is written: the usage record's own ids, or spelled out. */
  private static final byte SUBJECT_TENANT = 0;
  private static final byte SUBJECT_USER = 1;
  private static final byte SUBJECT_TOKEN = 2;
  private static final byte SUBJECT_SPELLED = 3;

  /**
   * Writes a settlement compactly: numbers as varints, no host id (a journal belongs to one host),
   * and each charge's account as its level and, where it is the record's own tenant, user or token,
   * a reference to it instead of the id again (every account of a chain is in the record's tenant).
   */
  static void writeSettlement(Out out, UsageRecord u, LocalDate day, LocalPool[] pools, long[] amounts) {
    out.writeByte(SETTLED);
    out.writeString(u.requestId());
    out.writeString(u.tenantId().value());
    out.writeString(u.userId() == null ? null : u.userId().value());
    out.writeString(u.tokenId() == null ? null : u.tokenId().value());
    out.writeString(u.model());
    out.writeString(u.channel());
    out.writeVarLong(u.promptTokens());
    out.writeVarLong(u.completionTokens());
    out.writeVarLong(u.cachedTokens());
    out.writeVarLong(u.cost());
    out.writeVarLong(u.uncharged());
    out.writeString(u.priceId() == null ? null : u.priceId().value());
    out.writeVarLong(u.multiplier());
    out.writeByte(u.status().ordinal());
    out.writeString(u.errorCode());
    out.writeVarLong(u.latencyMillis());
    out.writeVarLong(u.startedAt().toEpochMilli());
    out.writeVarLong(u.finishedAt().toEpochMilli() - u.startedAt().toEpochMilli());
    out.writeString(u.clientIp());
    out.writeString(u.userAgent());
    out.writeVarLong(day.toEpochDay());
    out.writeVarLong(pools.length);
    for (int i = 0; i < pools.length; i++) {
      PoolKey key = pools[i].key;
      AccountRef account = key.account();
      out.writeByte(account.level().ordinal());
      String subject = account.subjectId();
      if (account.level() == QuotaLevel.TENANT) {
        out.writeByte(SUBJECT_TENANT);
      } else if (account.level() == QuotaLevel.USER && u.userId() != null && subject.equals(u.userId().value())) {
        out.writeByte(SUBJECT_USER);
      } else if (account.level() == QuotaLevel.TOKEN && u.tokenId() != null
          && subject.equals(u.tokenId().value())) {
        out.writeByte(SUBJECT_TOKEN);
      } else {
        out.writeByte(SUBJECT_SPELLED);
        out.writeString(subject);
      }
      out.writeByte(key.meter().ordinal());
      out.writeVarLong(key.windowStart());
      out.writeVarLong(amounts[i]);
    }
  }

  static void writeOpened(Out out, Reservation reservation) {
    Chain chain = reservation.chain;
    out.writeByte(OPENED);
    out.writeString(reservation.requestId);
    out.writeString(chain.tenantId().value());
    out.writeString(chain.userId() == null ? null : chain.userId().value());
    out.writeString(chain.tokenId() == null ? null : chain.tokenId().value());
    out.writeVarLong(reservation.startedAt);
  }

  /**
   * Decodes one entry: a {@link Settlement} or an {@link Opened}.
   *
   * @param bytes the entry
   * @param hostId the journal's host, the settling host of every settlement in it
   */
  static Object read(byte[] bytes, String hostId) {
    In in = new In(bytes);
    int type = in.readByte();
    if (type == OPENED) {
      String requestId = in.readString();
      TenantId tenant = new TenantId(in.readString());
      String user = in.readString();
      String token = in.readString();
      return new Opened(requestId, tenant, user == null ? null : new UserId(user),
          token == null ? null : new TokenId(token), in.readVarLong());
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
    long prompt = in.readVarLong();
    long completion = in.readVarLong();
    long cached = in.readVarLong();
    long cost = in.readVarLong();
    long uncharged = in.readVarLong();
    String price = in.readString();
    long multiplier = in.readVarLong();
    UsageStatus status = STATUSES[in.readByte()];
    String errorCode = in.readString();
    long latency = in.readVarLong();
    long startedMillis = in.readVarLong();
    Instant started = Instant.ofEpochMilli(startedMillis);
    Instant finished = Instant.ofEpochMilli(startedMillis + in.readVarLong());
    String ip = in.readString();
    String agent = in.readString();
    LocalDate day = LocalDate.ofEpochDay(in.readVarLong());
    int count = (int) in.readVarLong();
    List<PoolCharge> charges = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      QuotaLevel level = LEVELS[in.readByte()];
      int how = in.readByte();
      String subject = switch (how) {
        case SUBJECT_TENANT -> tenant.value();
        case SUBJECT_USER -> user;
        case SUBJECT_TOKEN -> token;
        default -> in.readString();
      };
      Meter meter = METERS[in.readByte()];
      long window = in.readVarLong();
      charges.add(new PoolCharge(new PoolKey(new AccountRef(tenant, level, subject), meter, window),
          in.readVarLong()));
    }
    UsageRecord usage = new UsageRecord(requestId, tenant, user == null ? null : new UserId(user),
        token == null ? null : new TokenId(token), model, channel, prompt, completion, cached, cost, uncharged,
        price == null ? null : new PriceId(price), multiplier, status, errorCode, latency, started, finished, ip,
        agent, hostId);
    return new Settlement(usage, day, charges);
  }
}
