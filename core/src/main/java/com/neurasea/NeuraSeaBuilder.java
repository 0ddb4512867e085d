package com.neurasea;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.neurasea.identity.PasswordPolicy;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.privacy.CheckpointSchedule;
import com.neurasea.privacy.Jurisdiction;
import com.neurasea.privacy.MinorRule;
import com.neurasea.quota.QuotaSettings;
import com.neurasea.privacy.Taxonomy;
import com.neurasea.secrets.FileKeyProvider;
import com.neurasea.spi.IdentityProvider;
import com.neurasea.spi.KeyProvider;
import com.neurasea.spi.PersonalDataContributor;
import com.neurasea.spi.Storage;
import com.neurasea.spi.StorageProvider;
import com.neurasea.spi.UpstreamTransport;
import com.neurasea.spi.UpstreamTransportProvider;
import com.neurasea.routing.GatewaySettings;
import com.neurasea.routing.RoutingStrategy;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Builds a {@link NeuraSea}. Explicit objects win: pass a {@link Storage} and a {@link KeyProvider}
 * (or a key file). Adapters are found through {@link ServiceLoader} only after
 * {@link #discoverAdapters()}. Each setting may be made once; bad values fail at the call.
 */
public final class NeuraSeaBuilder {
  private Storage storage;
  private String storageName;
  private Map<String, String> storageSettings;
  private String storageUrl;
  private boolean discover;
  private KeyProvider keyProvider;
  private Path keyFile;
  private Clock clock;
  private PasswordPolicy passwordPolicy;
  private AccessCacheSettings accessCache;
  private Taxonomy taxonomy;
  private Jurisdiction jurisdiction;
  private CheckpointSchedule checkpointSchedule;
  private MinorRule minorRule;
  private QuotaSettings quotaSettings;
  private GatewaySettings gatewaySettings;
  private RoutingStrategy routingStrategy;
  private UpstreamTransport transport;
  private String transportName;
  private final List<PersonalDataContributor> contributors = new ArrayList<>();
  private final List<IdentityProvider> identityProviders = new ArrayList<>();

  NeuraSeaBuilder() {}

  /** Uses an open storage; the host keeps ownership and closes it. */
  public NeuraSeaBuilder storage(Storage storage) {
    requireState(this.storage == null && storageName == null && storageUrl == null, "storage was already set");
    this.storage = Objects.requireNonNull(storage, "storage");
    return this;
  }

  /**
   * Opens a storage adapter found by {@link #discoverAdapters()} by name; the built instance owns
   * and closes it.
   *
   * @param name the adapter's name, e.g. {@code sqlite}
   * @param settings its settings, e.g. {@code path}
   */
  public NeuraSeaBuilder storage(String name, Map<String, String> settings) {
    requireState(this.storage == null && storageName == null && storageUrl == null, "storage was already set");
    this.storageName = Objects.requireNonNull(name, "name");
    this.storageSettings = Map.copyOf(Objects.requireNonNull(settings, "settings"));
    return this;
  }

  /**
   * Opens the storage a URL names, through the adapter that claims it (found by discovery, which
   * this enables): {@code sqlite:<path>} or a PostgreSQL JDBC URL, credentials from the environment.
   * The built instance owns and closes it.
   *
   * @param url the storage URL
   */
  public NeuraSeaBuilder storageUrl(String url) {
    requireState(this.storage == null && storageName == null && storageUrl == null, "storage was already set");
    this.storageUrl = Objects.requireNonNull(url, "url");
    this.discover = true;
    return this;
  }

  /** Allows adapters named by string to be found on the class path through {@link ServiceLoader}. */
  public NeuraSeaBuilder discoverAdapters() {
    requireState(!discover, "discoverAdapters was already called");
    this.discover = true;
    return this;
  }

  /** Uses a key provider for token hashing and secrets at rest. */
  public NeuraSeaBuilder keyProvider(KeyProvider keyProvider) {
    requireState(this.keyProvider == null && keyFile == null, "the key provider was already set");
    this.keyProvider = Objects.requireNonNull(keyProvider, "keyProvider");
    return this;
  }

  /** Uses the default key provider: a key file created on first start with owner-only permissions. */
  public NeuraSeaBuilder keyFile(Path keyFile) {
    requireState(this.keyProvider == null && this.keyFile == null, "the key provider was already set");
    this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
    return this;
  }

  /** Uses a clock (tests, simulations); defaults to UTC system time. */
  public NeuraSeaBuilder clock(Clock clock) {
    requireState(this.clock == null, "clock was already set");
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** Sets password hashing cost and lockout; defaults to {@link PasswordPolicy#DEFAULT}. */
  public NeuraSeaBuilder passwordPolicy(PasswordPolicy passwordPolicy) {
    requireState(this.passwordPolicy == null, "passwordPolicy was already set");
    this.passwordPolicy = Objects.requireNonNull(passwordPolicy, "passwordPolicy");
    return this;
  }

  /** Sizes the access caches; defaults to {@link AccessCacheSettings#DEFAULT}. */
  public NeuraSeaBuilder accessCache(AccessCacheSettings accessCache) {
    requireState(this.accessCache == null, "accessCache was already set");
    this.accessCache = Objects.requireNonNull(accessCache, "accessCache");
    return this;
  }

  /** Uses a privacy taxonomy that extends or replaces the policy's; defaults to {@link Taxonomy#defaults()}. */
  public NeuraSeaBuilder taxonomy(Taxonomy taxonomy) {
    requireState(this.taxonomy == null, "taxonomy was already set");
    this.taxonomy = Objects.requireNonNull(taxonomy, "taxonomy");
    return this;
  }

  /** Chooses the law whose legal bases the platform's own ledger records cite; defaults to GDPR. */
  public NeuraSeaBuilder privacyJurisdiction(Jurisdiction jurisdiction) {
    requireState(this.jurisdiction == null, "privacyJurisdiction was already set");
    this.jurisdiction = Objects.requireNonNull(jurisdiction, "jurisdiction");
    return this;
  }

  /** Sets how often the privacy ledger is checkpointed; defaults to {@link CheckpointSchedule#DEFAULT}. */
  public NeuraSeaBuilder checkpointSchedule(CheckpointSchedule schedule) {
    requireState(this.checkpointSchedule == null, "checkpointSchedule was already set");
    this.checkpointSchedule = Objects.requireNonNull(schedule, "schedule");
    return this;
  }

  /** Sets how accounts flagged as minors' are treated; defaults to {@link MinorRule#GUARDIAN_CONSENT}. */
  public NeuraSeaBuilder minorRule(MinorRule rule) {
    requireState(this.minorRule == null, "minorRule was already set");
    this.minorRule = Objects.requireNonNull(rule, "rule");
    return this;
  }

  /**
   * Sets how this host's quota engine runs (host id, settlement journal, lease and reservation
   * timeouts); defaults to {@link QuotaSettings#DEFAULT}.
   */
  public NeuraSeaBuilder quotaSettings(QuotaSettings settings) {
    requireState(this.quotaSettings == null, "quotaSettings was already set");
    this.quotaSettings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /** Sets how the gateway behaves; defaults to {@link GatewaySettings#DEFAULT}. */
  public NeuraSeaBuilder gatewaySettings(GatewaySettings settings) {
    requireState(this.gatewaySettings == null, "gatewaySettings was already set");
    this.gatewaySettings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /** Sets how the gateway picks a channel within a priority tier; defaults to {@link RoutingStrategy#WEIGHTED}. */
  public NeuraSeaBuilder routingStrategy(RoutingStrategy strategy) {
    requireState(this.routingStrategy == null, "routingStrategy was already set");
    this.routingStrategy = Objects.requireNonNull(strategy, "strategy");
    return this;
  }

  /**
   * Sets the transport that reaches upstream providers; the host keeps owning it. Without one, a
   * builder that discovers adapters opens the transport adapter on the class path
   * ({@code neurasea-upstream-jdk}), and one that does not serves in-process channels only.
   */
  public NeuraSeaBuilder upstreamTransport(UpstreamTransport upstream) {
    requireState(this.transport == null && this.transportName == null, "the upstream transport was already set");
    this.transport = Objects.requireNonNull(upstream, "upstream");
    return this;
  }

  /** Names the discovered transport adapter to open when several are on the class path. */
  public NeuraSeaBuilder upstreamTransport(String name) {
    requireState(this.transport == null && this.transportName == null, "the upstream transport was already set");
    this.transportName = Objects.requireNonNull(name, "name");
    this.discover = true;
    return this;
  }

  /**
   * Adds a module of the host's that holds personal information, so that access, rectification,
   * erasure and retention reach it; asked after the platform's own, in the order added.
   */
  public NeuraSeaBuilder personalDataContributor(PersonalDataContributor contributor) {
    Objects.requireNonNull(contributor, "contributor");
    for (PersonalDataContributor existing : contributors) {
      requireState(!existing.name().equals(contributor.name()), "a personal data contributor named "
          + contributor.name() + " was already added");
    }
    contributors.add(contributor);
    return this;
  }

  /** Adds an identity provider, asked after the built-in one in the order added. */
  public NeuraSeaBuilder identityProvider(IdentityProvider provider) {
    Objects.requireNonNull(provider, "provider");
    for (IdentityProvider existing : identityProviders) {
      requireState(!existing.name().equals(provider.name()), "an identity provider named " + provider.name()
          + " was already added");
    }
    requireState(!provider.name().equals("local"), "'local' is the built-in identity provider's name");
    identityProviders.add(provider);
    return this;
  }

  /**
   * Builds the platform: opens what was named, writes the built-in roles and starts background work.
   *
   * @throws IllegalStateException when no storage or key provider was given
   * @throws NeuraSeaException when a named adapter is unknown or duplicated, or storage cannot open
   */
  public NeuraSea build() {
    requireState(storage != null || storageName != null || storageUrl != null,
        "a storage is required: call storage(...) or storageUrl(...)");
    requireState(keyProvider != null || keyFile != null, "a key provider is required: call keyProvider(...) or keyFile(...)");
    Storage resolved = storage != null ? storage : openNamed();
    UpstreamTransport ownedTransport = null;
    try {
      if (transport == null && discover) {
        ownedTransport = discoverTransport();
      }
      UpstreamTransport upstream = transport != null ? transport : ownedTransport;
      KeyProvider keys = keyProvider != null ? keyProvider : FileKeyProvider.open(keyFile);
      Injector injector = Guice.createInjector(Stage.PRODUCTION, new NeuraSeaModule(), new AbstractModule() {
        @Override
        protected void configure() {
          bind(Storage.class).toInstance(resolved);
          bind(KeyProvider.class).toInstance(keys);
          if (clock != null) {
            OptionalBinder.newOptionalBinder(binder(), Clock.class).setBinding().toInstance(clock);
          }
          if (passwordPolicy != null) {
            OptionalBinder.newOptionalBinder(binder(), PasswordPolicy.class).setBinding().toInstance(passwordPolicy);
          }
          if (accessCache != null) {
            OptionalBinder.newOptionalBinder(binder(), AccessCacheSettings.class).setBinding().toInstance(accessCache);
          }
          if (taxonomy != null) {
            OptionalBinder.newOptionalBinder(binder(), Taxonomy.class).setBinding().toInstance(taxonomy);
          }
          if (jurisdiction != null) {
            OptionalBinder.newOptionalBinder(binder(), Jurisdiction.class).setBinding().toInstance(jurisdiction);
          }
          if (checkpointSchedule != null) {
            OptionalBinder.newOptionalBinder(binder(), CheckpointSchedule.class).setBinding()
                .toInstance(checkpointSchedule);
          }
          if (minorRule != null) {
            OptionalBinder.newOptionalBinder(binder(), MinorRule.class).setBinding().toInstance(minorRule);
          }
          if (gatewaySettings != null) {
            OptionalBinder.newOptionalBinder(binder(), GatewaySettings.class).setBinding().toInstance(gatewaySettings);
          }
          if (routingStrategy != null) {
            OptionalBinder.newOptionalBinder(binder(), RoutingStrategy.class).setBinding().toInstance(routingStrategy);
          }
          if (upstream != null) {
            OptionalBinder.newOptionalBinder(binder(), UpstreamTransport.class).setBinding().toInstance(upstream);
          }
          if (quotaSettings != null) {
            OptionalBinder.newOptionalBinder(binder(), QuotaSettings.class).setBinding().toInstance(quotaSettings);
          }
          Multibinder<PersonalDataContributor> personalData =
              Multibinder.newSetBinder(binder(), PersonalDataContributor.class);
          contributors.forEach(c -> personalData.addBinding().toInstance(c));
          Multibinder<IdentityProvider> providers = Multibinder.newSetBinder(binder(), IdentityProvider.class);
          identityProviders.forEach(p -> providers.addBinding().toInstance(p));
        }
      });
      NeuraSea platform = injector.getInstance(NeuraSea.class);
      if (storage == null) {
        platform.own(resolved);
      }
      if (ownedTransport != null) {
        platform.own(ownedTransport);
      }
      return platform;
    } catch (RuntimeException e) {
      if (ownedTransport != null) {
        ownedTransport.close();
      }
      if (storage == null) {
        resolved.close();
      }
      throw unwrap(e);
    }
  }

  private Storage openNamed() {
    Map<String, StorageProvider> byName = discoverStorageProviders();
    if (storageUrl != null) {
      for (StorageProvider provider : byName.values()) {
        Optional<Map<String, String>> settings = provider.settingsFor(storageUrl);
        if (settings.isPresent()) {
          return provider.open(settings.get());
        }
      }
      throw NeuraSeaException.invalid("storageUrl", "no storage adapter on the class path accepts this URL"
          + " (use sqlite:<path> or jdbc:postgresql://...); available adapters: " + byName.keySet());
    }
    StorageProvider provider = byName.get(storageName);
    if (provider == null) {
      throw NeuraSeaException.invalid("storage",
          "unknown storage adapter '" + storageName + "'; available: " + byName.keySet());
    }
    return provider.open(storageSettings);
  }

  private UpstreamTransport discoverTransport() {
    Map<String, UpstreamTransportProvider> byName = new TreeMap<>();
    for (UpstreamTransportProvider provider : ServiceLoader.load(UpstreamTransportProvider.class)) {
      byName.putIfAbsent(provider.name(), provider);
    }
    if (transportName != null) {
      UpstreamTransportProvider named = byName.get(transportName);
      if (named == null) {
        throw NeuraSeaException.invalid("upstreamTransport", "unknown upstream transport '" + transportName
            + "'; available: " + byName.keySet());
      }
      return named.create(Map.of());
    }
    if (byName.size() > 1) {
      throw NeuraSeaException.invalid("upstreamTransport", "several upstream transports are on the class path "
          + byName.keySet() + "; name one with upstreamTransport(name)");
    }
    return byName.isEmpty() ? null : byName.values().iterator().next().create(Map.of());
  }

  private Map<String, StorageProvider> discoverStorageProviders() {
    requireState(discover, "storage '" + storageName + "' is named but adapter discovery is off: call discoverAdapters()");
    Map<String, StorageProvider> byName = new TreeMap<>();
    List<String> duplicates = new ArrayList<>();
    for (StorageProvider provider : ServiceLoader.load(StorageProvider.class)) {
      if (byName.putIfAbsent(provider.name(), provider) != null) {
        duplicates.add(provider.name());
      }
    }
    if (!duplicates.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT,
          "more than one storage adapter is named " + duplicates + "; keep one on the class path");
    }
    return byName;
  }

  private static RuntimeException unwrap(RuntimeException e) {
    // Guice wraps what constructors throw; callers should see our own error, not Guice's.
    Throwable cause = e;
    while (cause != null) {
      if (cause instanceof NeuraSeaException ns) {
        return ns;
      }
      cause = cause.getCause();
    }
    return e;
  }

  private static void requireState(boolean expression, String message) {
    if (!expression) {
      throw new IllegalStateException(message);
    }
  }
}
