package com.neurasea.benchmarks;

import com.neurasea.NeuraSea;
import com.neurasea.model.Caller;
import com.neurasea.model.Principal;
import com.neurasea.model.ProcessingKind;
import com.neurasea.model.ProcessingRecord;
import com.neurasea.model.UserId;
import com.neurasea.privacy.CheckpointSchedule;
import com.neurasea.privacy.PrivacyLedger;
import com.neurasea.spi.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A bare platform for the privacy ledger benchmarks: an empty database (a SQLite file in a
 * temporary directory, or a fresh PostgreSQL schema) and a {@link NeuraSea} instance whose
 * background checkpoint is pushed out to a day, so that no checkpoint runs during a measurement.
 */
final class LedgerPlatform implements AutoCloseable {
  /** The platform itself, which may sign checkpoints and verify the ledger. */
  static final Caller SYSTEM = Caller.platform(Principal.system());

  final Path dir;
  final Backend backend;
  final String schema;
  final Storage storage;
  final NeuraSea platform;
  final PrivacyLedger ledger;

  LedgerPlatform(Backend backend) {
    try {
      dir = Files.createTempDirectory("neurasea-ledger-bench");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.backend = backend;
    this.schema = Backend.freshSchema();
    Storage opened = null;
    try {
      opened = backend.open(dir, schema);
      platform = NeuraSea.builder().storage(opened).keyFile(dir.resolve("bench.key"))
          .checkpointSchedule(new CheckpointSchedule(Duration.ofDays(1))).build();
    } catch (RuntimeException e) {
      try {
        if (opened != null) {
          opened.close();
        }
      } finally {
        backend.removeData(schema, dir);
      }
      throw e;
    }
    storage = opened;
    ledger = platform.privacy();
  }

  /** A plain JDBC connection to the same database (same SQLite file, same PostgreSQL schema). */
  Connection connect() {
    try {
      return backend.connect(dir, schema);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot connect to the benchmark database", e);
    }
  }

  /** {@code count} distinct, valid user ids, standing for the people records are about. */
  static List<UserId> subjects(int count) {
    List<UserId> subjects = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      subjects.add(new UserId(String.format("usr_bench%06d", i)));
    }
    return subjects;
  }

  /** A typical record: the request time and IP address of a request, collected for account security. */
  static ProcessingRecord record(UserId subject) {
    return ProcessingRecord.of(ProcessingKind.COLLECTION)
        .module("identity")
        .subject(subject)
        .categories("user.usage.request_time", "user.device.ip_address")
        .purpose("account_security", "gdpr.contract")
        .detail("user.device.ip_address", "203.0.113.7")
        .build();
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
