package com.neurasea;

import com.neurasea.identity.BootstrapResult;
import com.neurasea.identity.IdentityService;
import com.neurasea.internal.Generations;
import com.neurasea.model.Caller;
import com.neurasea.model.Principal;
import com.neurasea.permissions.PermissionService;
import com.neurasea.privacy.CheckpointSchedule;
import com.neurasea.privacy.DataSubjectRights;
import com.neurasea.privacy.PrivacyLedger;
import com.neurasea.quota.PriceTable;
import com.neurasea.routing.ChannelService;
import com.neurasea.routing.Gateway;
import com.neurasea.quota.QuotaEngine;
import com.neurasea.quota.QuotaService;
import com.neurasea.spi.ChangeNotifier;
import com.neurasea.spi.Storage;
import com.neurasea.tenancy.GroupService;
import com.neurasea.tenancy.TenancyService;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NeuraSea platform embedded in a host: the entry point to every domain service.
 *
 * <pre>{@code
 * try (NeuraSea platform = NeuraSea.builder()
 *     .storage(SqliteStorage.builder().path(Path.of("data/neurasea.db")).build())
 *     .keyFile(Path.of("data/neurasea.key"))
 *     .build()) {
 *   Principal admin = platform.identity().authenticate(new TokenCredentials(token, ip, agent));
 *   Tenant tenant = platform.tenancy().createTenant(Caller.platform(admin), new CreateTenant("acme", "Acme", null));
 * }
 * }</pre>
 *
 * <p>Thread-safe. Closing it flushes pending writes and closes only what its builder created.
 */
@Singleton
public final class NeuraSea implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NeuraSea.class);
  private static final long TOKEN_USE_FLUSH_SECONDS = 30;
  private static final long RETENTION_SWEEP_HOURS = 6;

  private static final Caller SYSTEM = Caller.platform(Principal.system());

  private final TenancyService tenancy;
  private final GroupService groups;
  private final PermissionService permissions;
  private final IdentityService identity;
  private final PrivacyLedger privacy;
  private final DataSubjectRights dataSubjects;
  private final QuotaService quotas;
  private final QuotaEngine quotaEngine;
  private final PriceTable prices;
  private final Gateway gateway;
  private final ChannelService channels;
  private final ScheduledExecutorService background;
  private final List<AutoCloseable> owned = new ArrayList<>();
  private final AutoCloseable subscription;
  private boolean closed;

  @Inject
  NeuraSea(TenancyService tenancy, GroupService groups, PermissionService permissions, IdentityService identity,
      PrivacyLedger privacy, DataSubjectRights dataSubjects, QuotaService quotas, QuotaEngine quotaEngine,
      PriceTable prices, Gateway gateway, ChannelService channels, CheckpointSchedule checkpoints, Storage storage,
      Generations generations) {
    this.gateway = gateway;
    this.channels = channels;
    this.tenancy = tenancy;
    this.groups = groups;
    this.permissions = permissions;
    this.identity = identity;
    this.privacy = privacy;
    this.dataSubjects = dataSubjects;
    this.quotas = quotas;
    this.quotaEngine = quotaEngine;
    this.prices = prices;
    Optional<ChangeNotifier> notifier = storage.changeNotifier();
    if (notifier.isPresent()) {
      // Other instances on the same database learn of our changes, and we of theirs.
      generations.publishTo(notifier.get());
      this.subscription = notifier.get().subscribe(generations::applyRemote);
    } else {
      this.subscription = null;
    }
    permissions.syncBuiltInRoles();
    this.background = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "neurasea-background");
      thread.setDaemon(true);
      return thread;
    });
    background.scheduleWithFixedDelay(this::flushQuietly, TOKEN_USE_FLUSH_SECONDS, TOKEN_USE_FLUSH_SECONDS,
        TimeUnit.SECONDS);
    background.scheduleWithFixedDelay(this::sequenceQuietly, 1, 1, TimeUnit.SECONDS);
    // Erasures a crash interrupted resume at once, and are looked for again every minute.
    background.scheduleWithFixedDelay(this::resumeQuietly, 0, 60, TimeUnit.SECONDS);
    background.scheduleWithFixedDelay(this::sweepQuietly, RETENTION_SWEEP_HOURS, RETENTION_SWEEP_HOURS,
        TimeUnit.HOURS);
    long checkpointMillis = checkpoints.interval().toMillis();
    background.scheduleWithFixedDelay(this::checkpointQuietly, checkpointMillis, checkpointMillis,
        TimeUnit.MILLISECONDS);
  }

  /** The OpenAI-compatible gateway that host bindings serve. */
  public Gateway gateway() {
    return gateway;
  }

  /** Channels and model aliases. */
  public ChannelService channels() {
    return channels;
  }

  /** Starts building a platform instance. */
  public static NeuraSeaBuilder builder() {
    return new NeuraSeaBuilder();
  }

  /** Tenants, accounts and memberships. */
  public TenancyService tenancy() {
    return tenancy;
  }

  /** Nestable groups and their members. */
  public GroupService groups() {
    return groups;
  }

  /** Roles, bindings and permission checks. */
  public PermissionService permissions() {
    return permissions;
  }

  /** Authentication and API tokens. */
  public IdentityService identity() {
    return identity;
  }

  /**
   * Data-subject rights: access, rectification, erasure and restriction requests, legal holds,
   * policy versions and acknowledgments, minors, retention sweeps.
   */
  public DataSubjectRights dataSubjects() {
    return dataSubjects;
  }

  /** Quota accounts and limits, usage records and daily statistics. */
  public QuotaService quotas() {
    return quotas;
  }

  /** The quota hot path: reserve, settle, release. */
  public QuotaEngine quotaEngine() {
    return quotaEngine;
  }

  /** Model prices. */
  public PriceTable prices() {
    return prices;
  }

  /** The privacy ledger: processing records, checkpoints, proofs and verification. */
  public PrivacyLedger privacy() {
    return privacy;
  }

  /**
   * Creates the first platform administrator on a fresh platform; see
   * {@link IdentityService#bootstrap(String, String)}.
   *
   * @param adminUsername the administrator's username
   * @param tenantSlug the first tenant's slug
   * @return what was created, or empty when the administrator already exists
   */
  public Optional<BootstrapResult> bootstrap(String adminUsername, String tenantSlug) {
    return identity.bootstrap(adminUsername, tenantSlug);
  }

  /** Registers something the builder created, to close with this instance (newest first). */
  void own(AutoCloseable resource) {
    owned.add(resource);
  }

  /** Flushes pending writes, stops background work and closes what the builder created. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    background.shutdown();
    try {
      background.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    gateway.close();
    flushQuietly();
    quotaEngine.close();
    sequenceQuietly();
    checkpointQuietly();
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        LOG.warn("closing the change subscription failed: {}", e.toString());
      }
    }
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        LOG.warn("closing {} failed: {}", owned.get(i).getClass().getSimpleName(), e.toString());
      }
    }
  }

  private void resumeQuietly() {
    try {
      dataSubjects.resumeInterrupted();
    } catch (RuntimeException e) {
      LOG.warn("resuming interrupted erasures failed: {}", e.toString());
    }
  }

  private void sweepQuietly() {
    try {
      dataSubjects.sweep(SYSTEM);
    } catch (RuntimeException e) {
      LOG.warn("the retention sweep failed: {}", e.toString());
    }
  }

  private void sequenceQuietly() {
    try {
      privacy.sequence();
    } catch (RuntimeException e) {
      LOG.warn("sequencing staged privacy ledger records failed: {}", e.toString());
    }
  }

  private void checkpointQuietly() {
    try {
      privacy.checkpoint(SYSTEM);
    } catch (RuntimeException e) {
      LOG.warn("signing a privacy ledger checkpoint failed: {}", e.toString());
    }
  }

  private void flushQuietly() {
    try {
      identity.flushTokenUse();
    } catch (RuntimeException e) {
      LOG.warn("background flush failed: {}", e.toString());
    }
  }
}
