package com.neurasea.benchmarks;

import com.neurasea.NeuraSea;
import com.neurasea.identity.PasswordPolicy;
import com.neurasea.model.AccountRef;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateBinding;
import com.neurasea.model.CreateTenant;
import com.neurasea.model.CreateUser;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Meter;
import com.neurasea.model.ModelPrice;
import com.neurasea.model.PoolKey;
import com.neurasea.model.PoolState;
import com.neurasea.model.Principal;
import com.neurasea.model.QuotaLease;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.ResetPeriod;
import com.neurasea.model.Scope;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.model.User;
import com.neurasea.privacy.CheckpointSchedule;
import com.neurasea.quota.Chain;
import com.neurasea.quota.QuotaEngine;
import com.neurasea.quota.QuotaSettings;
import com.neurasea.spi.PoolCharge;
import com.neurasea.spi.Settlement;
import com.neurasea.spi.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * A platform for the quota benchmarks: an empty database (a SQLite file in a temporary directory, or
 * a fresh PostgreSQL schema), one tenant and one user in it whose account has a budget so large it
 * never runs out ({@value #BUDGET} credits, never reset), and the platform's quota engine, with or
 * without a settlement journal. The background privacy checkpoint is pushed out to a day. Before
 * anything is measured, {@value #SEEDED} usage records are written and the quota tables analyzed, so
 * that the database plans its queries as it would in service.
 */
final class QuotaPlatform implements AutoCloseable {
  /** The hot account's budget: the largest there is, so no measurement ever runs out. */
  static final long BUDGET = QuotaLimits.MAX_CREDITS;
  /** What a request reserves. */
  static final long MAX_COST = 1_000;
  /** What it is settled at. */
  static final long COST = 600;
  /** Usage records written before a measurement, so the tables have statistics (see {@link #seed}). */
  static final int SEEDED = 20_480;
  /** The host the seeded records name. */
  static final String SEED_HOST = "seed-host";

  final Path dir;
  final Backend backend;
  final String schema;
  final Storage storage;
  final NeuraSea platform;
  final QuotaEngine engine;
  final Tenant tenant;
  final User user;
  final AccountRef account;
  /** The user in its tenant: what the hot path charges. */
  final Chain chain;
  /** The account's only credit pool (a budget that never resets has one window, starting at 0). */
  final PoolKey credits;

  QuotaPlatform(Backend backend, boolean journal) {
    this(backend, journal, QuotaSettings.DEFAULT.flushInterval());
  }

  /**
   * A platform whose engine writes settlements every {@code flushInterval} (a long one keeps the
   * writer out of a measurement of the request path; the benchmark then flushes between iterations).
   */
  QuotaPlatform(Backend backend, boolean journal, Duration flushInterval) {
    this(backend, journal, flushInterval, builder -> { });
  }

  /** A platform the benchmark configures further (the gateway's transport, say). */
  QuotaPlatform(Backend backend, boolean journal, Duration flushInterval,
      java.util.function.Consumer<com.neurasea.NeuraSeaBuilder> customize) {
    try {
      dir = Files.createTempDirectory("neurasea-quota-bench");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.backend = backend;
    this.schema = Backend.freshSchema();
    Storage opened = null;
    NeuraSea built = null;
    try {
      opened = backend.open(dir, schema);
      QuotaSettings timed = QuotaSettings.DEFAULT.withTimings(
          flushInterval.compareTo(Duration.ofSeconds(20)) >= 0 ? flushInterval.plusSeconds(1) : Duration.ofSeconds(30),
          QuotaSettings.DEFAULT.reservationTimeout(), flushInterval);
      QuotaSettings settings = journal ? timed.withJournal(dir.resolve("journal")) : timed;
      com.neurasea.NeuraSeaBuilder builder = NeuraSea.builder().storage(opened).keyFile(dir.resolve("bench.key"))
          .passwordPolicy(PasswordPolicy.forTests()).checkpointSchedule(new CheckpointSchedule(Duration.ofDays(1)))
          .quotaSettings(settings);
      customize.accept(builder);
      built = builder.build();
      Caller admin = Caller.platform(Principal.user(built.bootstrap("admin", "platform").orElseThrow().admin().id()));
      tenant = built.tenancy().createTenant(admin, new CreateTenant("bench", "Bench", null));
      Caller inTenant = admin.inTenant(tenant.id());
      User tenantAdmin = createUser(built, inTenant, "tadmin");
      built.permissions().createBinding(inTenant, new CreateBinding(Subject.user(tenantAdmin.id()),
          BuiltInRole.TENANT_ADMIN.id(), Scope.tenant()));
      user = createUser(built, inTenant, "hot");
      built.permissions().createBinding(inTenant, new CreateBinding(Subject.user(user.id()),
          BuiltInRole.MEMBER.id(), Scope.tenant()));
      account = AccountRef.user(tenant.id(), user.id());
      built.quotas().setLimits(Caller.in(Principal.user(tenantAdmin.id()), tenant.id()), account,
          QuotaLimits.budget(BUDGET, ResetPeriod.NONE));
      engine = built.quotaEngine();
      chain = engine.chainOf(Caller.in(Principal.user(user.id()), tenant.id()));
      credits = new PoolKey(account, Meter.CREDITS, 0);
      seed(opened);
    } catch (RuntimeException e) {
      try {
        if (built != null) {
          built.close();
        }
        if (opened != null) {
          opened.close();
        }
      } finally {
        backend.removeData(schema, dir);
      }
      throw e;
    }
    storage = opened;
    platform = built;
  }

  /**
   * Writes {@value #SEEDED} usage records and has the database gather statistics. A fresh schema has
   * none: PostgreSQL then plans the store's request-id lookups as sequential scans and keeps that
   * plan cached until autovacuum analyzes the table (a minute or more into a run), which would make
   * the first minute of every PostgreSQL measurement slower than a deployed database ever is.
   */
  private void seed(Storage opened) {
    Instant now = Instant.now();
    for (int done = 0; done < SEEDED; done += 512) {
      List<Settlement> batch = new java.util.ArrayList<>(512);
      for (int i = 0; i < 512; i++) {
        batch.add(settlement("seed-" + (done + i), SEED_HOST, now, now));
      }
      opened.inLockingTransaction(stores -> stores.quota().settle(SEED_HOST, batch));
    }
    try (Connection connection = backend.connect(dir, schema); Statement statement = connection.createStatement()) {
      for (String table : List.of("usage_records", "usage_daily", "quota_pools", "quota_leases", "quota_accounts")) {
        statement.execute("ANALYZE " + table);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot analyze the benchmark database", e);
    }
  }

  private static User createUser(NeuraSea platform, Caller caller, String username) {
    return platform.tenancy().createUser(caller, new CreateUser(username, null, username + "@example.com", null,
        LoginMethod.PASSWORD, "correct horse battery staple"));
  }

  /**
   * A settlement of {@link #COST} credits for the hot user, charged to its credit pool, as a host
   * writes it.
   */
  Settlement settlement(String requestId, String hostId, Instant startedAt, Instant finishedAt) {
    UsageRecord record = new UsageRecord(requestId, tenant.id(), user.id(), null, null, null, 0, 0, 0, COST, 0,
        null, ModelPrice.ONE, UsageStatus.SUCCEEDED, null, finishedAt.toEpochMilli() - startedAt.toEpochMilli(),
        startedAt, finishedAt, null, null, hostId);
    return new Settlement(record, LocalDate.ofInstant(finishedAt, ZoneOffset.UTC),
        List.of(new PoolCharge(credits, COST)));
  }

  /** How many usage records were written since the platform was set up (beyond the seeded ones). */
  long usageRows() {
    return allUsageRows() - SEEDED;
  }

  /** How many usage records the store holds, counted over plain JDBC. */
  private long allUsageRows() {
    try (Connection connection = backend.connect(dir, schema); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM usage_records")) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count the usage records", e);
    }
  }

  /**
   * A line on the books of the hot account: what its pool says is used and leased, what the usage
   * records add up to, and the leases hosts still hold, so a benchmark can show nothing leaked.
   */
  String books() {
    PoolState pool = storage.quota().findPool(credits).orElse(null);
    long rows = allUsageRows();
    StringBuilder line = new StringBuilder();
    line.append("pool used=").append(pool == null ? 0 : pool.used())
        .append(" leased=").append(pool == null ? 0 : pool.leased())
        .append("; usage records=").append(rows).append(" (").append(SEEDED).append(" seeded)").append(" (x").append(COST).append(" = ").append(rows * COST)
        .append(')');
    if (pool != null && pool.used() != rows * COST) {
      line.append(" MISMATCH");
    }
    return line.toString();
  }

  /** Leases a host still holds on the hot pool (0 when it returned them all). */
  long leaseOf(String hostId) {
    return storage.quota().leasesOf(hostId).stream().filter(l -> l.key().equals(credits))
        .mapToLong(QuotaLease::amount).sum();
  }

  /**
   * Closes the platform (its engine writes every settlement left and returns its leases) and
   * describes the books afterwards, with what the named hosts still lease of the hot pool.
   */
  String shutDown(String... hostIds) {
    long started = System.nanoTime();
    platform.close();
    StringBuilder line = new StringBuilder("closed in ").append((System.nanoTime() - started) / 1_000_000)
        .append(" ms; ").append(books());
    for (String hostId : hostIds) {
      long leased = leaseOf(hostId);
      line.append("; lease of ").append(hostId).append('=').append(leased).append(leased == 0 ? "" : " LEAKED");
    }
    return line.toString();
  }

  @Override
  public void close() {
    try {
      platform.close();
    } finally {
      try {
        storage.close();
      } finally {
        backend.removeData(schema, dir);
      }
    }
  }
}
