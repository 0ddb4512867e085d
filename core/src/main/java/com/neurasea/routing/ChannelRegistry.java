package com.neurasea.routing;

import com.neurasea.model.Channel;
import com.neurasea.model.ChannelId;
import com.neurasea.model.ChannelStatus;
import com.neurasea.model.GroupId;
import com.neurasea.model.ModelAlias;
import com.neurasea.model.TenantId;
import com.neurasea.spi.ChannelRecord;
import com.neurasea.spi.Storage;
import com.neurasea.spi.UpstreamTransport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every channel and alias, read whole from the store and swapped in as one immutable snapshot; the
 * request path only reads the current snapshot. Channel health is kept by id across snapshots.
 */
final class ChannelRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelRegistry.class);

  /** One consistent view of channels and aliases. */
  static final class Snapshot {
    final Map<ChannelId, Route> byId;
    private final Map<String, String> platformAliases;
    private final Map<TenantId, Map<String, String>> tenantAliases;
    private final List<Route> routes;
    private final ConcurrentHashMap<TenantId, ConcurrentHashMap<String, List<Route>>> byTenantModel =
        new ConcurrentHashMap<>();

    Snapshot(List<Route> routes, List<ModelAlias> aliases) {
      this.routes = routes;
      Map<ChannelId, Route> ids = new HashMap<>();
      routes.forEach(r -> ids.put(r.channel.id(), r));
      this.byId = Map.copyOf(ids);
      Map<String, String> platform = new HashMap<>();
      Map<TenantId, Map<String, String>> tenants = new HashMap<>();
      for (ModelAlias alias : aliases) {
        if (alias.tenantId() == null) {
          platform.put(alias.alias(), alias.model());
        } else {
          tenants.computeIfAbsent(alias.tenantId(), t -> new HashMap<>()).put(alias.alias(), alias.model());
        }
      }
      this.platformAliases = Map.copyOf(platform);
      Map<TenantId, Map<String, String>> frozen = new HashMap<>();
      tenants.forEach((t, m) -> frozen.put(t, Map.copyOf(m)));
      this.tenantAliases = Map.copyOf(frozen);
    }

    /** The real model a name stands for in a tenant: a tenant alias, else a platform alias, else the name. */
    String resolve(TenantId tenantId, String name) {
      Map<String, String> own = tenantAliases.get(tenantId);
      String model = own == null ? null : own.get(name);
      if (model == null) {
        model = platformAliases.get(name);
      }
      return model == null ? name : model;
    }

    /** The enabled channels a tenant's requests for a model may use, highest priority first. */
    List<Route> routesFor(TenantId tenantId, String model) {
      return byTenantModel.computeIfAbsent(tenantId, t -> new ConcurrentHashMap<>())
          .computeIfAbsent(model, m -> collect(tenantId, m));
    }

    private List<Route> collect(TenantId tenantId, String model) {
      List<Route> found = new ArrayList<>();
      for (Route route : routes) {
        Channel c = route.channel;
        if (c.status() == ChannelStatus.ENABLED && c.serves(model)
            && (c.tenantId() == null || c.tenantId().equals(tenantId))) {
          found.add(route);
        }
      }
      found.sort(Comparator.comparingInt((Route r) -> -r.channel.priority()));
      return List.copyOf(found);
    }

    /** The model names a member of these groups can reach: channel models and the aliases that lead to one. */
    TreeSet<String> visibleModels(TenantId tenantId, List<GroupId> groups) {
      TreeSet<String> names = new TreeSet<>();
      for (Route route : routes) {
        Channel c = route.channel;
        if (c.status() == ChannelStatus.ENABLED && (c.tenantId() == null || c.tenantId().equals(tenantId))
            && groupAllows(c, groups)) {
          names.addAll(c.models());
        }
      }
      List<String> aliases = new ArrayList<>(platformAliases.keySet());
      Map<String, String> own = tenantAliases.get(tenantId);
      if (own != null) {
        aliases.addAll(own.keySet());
      }
      for (String alias : aliases) {
        for (Route route : routesFor(tenantId, resolve(tenantId, alias))) {
          if (groupAllows(route.channel, groups)) {
            names.add(alias);
            break;
          }
        }
      }
      return names;
    }

    List<Route> routes() {
      return routes;
    }
  }

  private final Storage storage;
  private final CredentialCipher cipher;
  private final GatewaySettings settings;
  private final ConcurrentHashMap<ChannelId, ChannelHealth> health = new ConcurrentHashMap<>();
  private final List<Route> builtIn;
  private volatile UpstreamTransport transport;
  private volatile Snapshot current;

  ChannelRegistry(Storage storage, CredentialCipher cipher, GatewaySettings settings, List<Route> builtIn) {
    this.storage = storage;
    this.cipher = cipher;
    this.settings = settings;
    this.builtIn = builtIn;
  }

  void useTransport(UpstreamTransport upstream) {
    this.transport = upstream;
  }

  Snapshot current() {
    Snapshot s = current;
    return s != null ? s : reload();
  }

  ChannelHealth healthOf(ChannelId id) {
    return health.computeIfAbsent(id, i -> new ChannelHealth(settings));
  }

  /** Reads channels and aliases again and swaps the snapshot in. */
  synchronized Snapshot reload() {
    List<Route> routes = new ArrayList<>(builtIn);
    for (ChannelRecord record : storage.channels().listChannels()) {
      Channel channel = record.channel();
      String credential;
      try {
        credential = cipher.open(channel.id().value(), record.sealedCredential());
      } catch (RuntimeException e) {
        LOG.warn("channel {} is skipped: {}", channel.id(), e.getMessage());
        continue;
      }
      routes.add(new Route(channel, credential, healthOf(channel.id()), transport, channel.id().value()));
    }
    Snapshot snapshot = new Snapshot(List.copyOf(routes), storage.channels().listAliases());
    current = snapshot;
    return snapshot;
  }

  /** Whether a member of these groups may use a channel. */
  static boolean groupAllows(Channel channel, List<GroupId> groups) {
    if (channel.groups().isEmpty()) {
      return true;
    }
    for (GroupId group : groups) {
      if (channel.groups().contains(group)) {
        return true;
      }
    }
    return false;
  }
}
