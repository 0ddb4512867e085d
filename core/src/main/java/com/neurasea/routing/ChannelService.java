package com.neurasea.routing;

import com.neurasea.internal.IdGenerator;
import com.neurasea.model.Caller;
import com.neurasea.model.Channel;
import com.neurasea.model.ChannelId;
import com.neurasea.model.ChannelStatus;
import com.neurasea.model.CreateChannel;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.GroupId;
import com.neurasea.model.ModelAlias;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Permissions;
import com.neurasea.model.Scope;
import com.neurasea.model.TenantId;
import com.neurasea.model.UpdateChannel;
import com.neurasea.permissions.PermissionService;
import com.neurasea.spi.ChannelRecord;
import com.neurasea.spi.KeyProvider;
import com.neurasea.spi.Storage;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Administers channels and model aliases. A caller acting in a tenant manages that tenant's own
 * channels and aliases ({@code channels:manage}); a caller at platform level manages platform-wide
 * ones ({@code platform:tenants:manage}), which every tenant's requests may use. Credentials are
 * sealed (AES-GCM) before they reach the store and are never returned.
 */
@Singleton
public final class ChannelService {
  private final Storage storage;
  private final Clock clock;
  private final IdGenerator ids;
  private final PermissionService permissions;
  private final CredentialCipher cipher;
  private final Gateway gateway;

  @Inject
  ChannelService(Storage storage, Clock clock, IdGenerator ids, PermissionService permissions, KeyProvider keys,
      Gateway gateway) {
    this.storage = storage;
    this.clock = clock;
    this.ids = ids;
    this.permissions = permissions;
    this.cipher = new CredentialCipher(keys);
    this.gateway = gateway;
  }

  /**
   * Creates a channel owned by the caller's tenant, or platform-wide at platform level.
   *
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} listing every bad field, {@code CONFLICT} on a
   *     duplicate name, {@code PERMISSION_DENIED} without the permission
   */
  public Channel create(Caller caller, CreateChannel command) {
    Objects.requireNonNull(command, "command");
    requireManage(caller);
    List<FieldError> errors = new ArrayList<>();
    if (command.type() == null) {
      errors.add(new FieldError("type", "is required: openai, azure_openai, anthropic or openai_compatible"));
    }
    if (command.models() == null || command.models().isEmpty()) {
      errors.add(new FieldError("models", "at least one model is required"));
    }
    checkKey(errors, command.apiKey());
    int priority = command.priority() == null ? 0 : command.priority();
    int weight = command.weight() == null ? 1 : command.weight();
    int rpm = command.requestsPerMinute() == null ? 0 : command.requestsPerMinute();
    int concurrency = command.maxConcurrency() == null ? 0 : command.maxConcurrency();
    long connect = command.connectTimeoutMillis() == null ? CreateChannel.DEFAULT_CONNECT_TIMEOUT_MILLIS
        : command.connectTimeoutMillis();
    long read = command.readTimeoutMillis() == null ? CreateChannel.DEFAULT_READ_TIMEOUT_MILLIS
        : command.readTimeoutMillis();
    Channel.check(errors, command.name(), command.baseUrl(), command.models(), command.modelMapping(), priority,
        weight, rpm, concurrency, connect, read, command.options());
    List<GroupId> groups = command.groups() == null ? List.of() : command.groups();
    checkGroups(errors, caller.tenantId(), groups);
    if (!errors.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, "invalid channel", errors, null);
    }
    Instant now = clock.instant();
    ChannelId id = ChannelId.of(ids.next(ChannelId.PREFIX));
    String key = command.apiKey() == null || command.apiKey().isEmpty() ? null : command.apiKey();
    Channel channel = new Channel(id, caller.tenantId(), command.name(), command.type(), command.baseUrl(),
        command.models(), command.modelMapping(), priority, weight, groups, rpm, concurrency, connect, read,
        command.options(), ChannelStatus.ENABLED, null, CredentialCipher.hint(key), 1, now, now);
    storage.channels().insertChannel(new ChannelRecord(channel, key == null ? null : cipher.seal(id.value(), key)));
    gateway.channelsChanged();
    return channel;
  }

  /**
   * Changes a channel (see {@link UpdateChannel}).
   *
   * @throws NeuraSeaException {@code NOT_FOUND}, {@code CONFLICT} on a stale {@code expectedVersion} or a
   *     duplicate name, {@code INVALID_ARGUMENT} listing every bad field
   */
  public Channel update(Caller caller, ChannelId id, UpdateChannel change) {
    Objects.requireNonNull(change, "change");
    ChannelRecord record = own(caller, id);
    Channel c = record.channel();
    if (change.expectedVersion() != null && change.expectedVersion() != c.version()) {
      throw NeuraSeaException.conflict("expectedVersion", "the channel is at version " + c.version());
    }
    List<FieldError> errors = new ArrayList<>();
    if (change.status() == ChannelStatus.AUTO_DISABLED) {
      errors.add(new FieldError("status", "must be enabled or disabled"));
    }
    if (change.apiKey() != null) {
      checkKey(errors, change.apiKey());
    }
    String name = or(change.name(), c.name());
    String baseUrl = or(change.baseUrl(), c.baseUrl());
    List<String> models = or(change.models(), c.models());
    Map<String, String> mapping = or(change.modelMapping(), c.modelMapping());
    int priority = or(change.priority(), c.priority());
    int weight = or(change.weight(), c.weight());
    List<GroupId> groups = or(change.groups(), c.groups());
    int rpm = or(change.requestsPerMinute(), c.requestsPerMinute());
    int concurrency = or(change.maxConcurrency(), c.maxConcurrency());
    long connect = or(change.connectTimeoutMillis(), c.connectTimeoutMillis());
    long read = or(change.readTimeoutMillis(), c.readTimeoutMillis());
    Map<String, String> options = or(change.options(), c.options());
    if (models.isEmpty()) {
      errors.add(new FieldError("models", "at least one model is required"));
    }
    Channel.check(errors, name, baseUrl, models, mapping, priority, weight, rpm, concurrency, connect, read, options);
    if (change.groups() != null) {
      checkGroups(errors, c.tenantId(), groups);
    }
    if (!errors.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, "invalid channel", errors, null);
    }
    ChannelStatus status = change.status() == null ? c.status() : change.status();
    String reason = change.status() == null ? c.statusReason()
        : status == ChannelStatus.DISABLED ? "disabled by an administrator" : null;
    String sealed = record.sealedCredential();
    String hint = c.credentialHint();
    if (change.apiKey() != null) {
      sealed = change.apiKey().isEmpty() ? null : cipher.seal(id.value(), change.apiKey());
      hint = CredentialCipher.hint(change.apiKey());
    }
    Channel updated = new Channel(id, c.tenantId(), name, c.type(), baseUrl, models, mapping, priority, weight, groups,
        rpm, concurrency, connect, read, options, status, reason, hint, c.version() + 1, c.createdAt(),
        clock.instant());
    if (!storage.channels().updateChannel(new ChannelRecord(updated, sealed), c.version())) {
      throw NeuraSeaException.conflict("expectedVersion", "the channel changed meanwhile; read it again");
    }
    gateway.channelsChanged();
    return updated;
  }

  /** Deletes a channel. */
  public void delete(Caller caller, ChannelId id) {
    own(caller, id);
    storage.channels().deleteChannel(id);
    gateway.channelsChanged();
  }

  /** One channel of the caller's tenant (or platform-wide at platform level). */
  public Channel get(Caller caller, ChannelId id) {
    return own(caller, id).channel();
  }

  /** The caller's tenant's channels (or the platform-wide ones at platform level). */
  public List<Channel> list(Caller caller) {
    requireManage(caller);
    List<Channel> out = new ArrayList<>();
    for (ChannelRecord record : storage.channels().listChannels()) {
      if (Objects.equals(record.channel().tenantId(), caller.tenantId())) {
        out.add(record.channel());
      }
    }
    return out;
  }

  /** The caller's channels with their health on this host: breaker state, in-flight, latency, recent errors. */
  public List<ChannelState> states(Caller caller) {
    requireManage(caller);
    return gateway.states(c -> Objects.equals(c.tenantId(), caller.tenantId()));
  }

  /** Probes the channels that need it now, instead of at the next probe interval. */
  public void probeNow(Caller caller) {
    requireManage(caller);
    gateway.probe();
  }

  /**
   * Sets an alias of the caller's tenant (or platform-wide).
   *
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} for bad names
   */
  public ModelAlias putAlias(Caller caller, String alias, String model) {
    requireManage(caller);
    ModelAlias value = new ModelAlias(caller.tenantId(), alias, model, clock.instant());
    storage.channels().putAlias(value);
    gateway.channelsChanged();
    return value;
  }

  /** Deletes an alias; {@code NOT_FOUND} when there is none. */
  public void deleteAlias(Caller caller, String alias) {
    requireManage(caller);
    if (!storage.channels().deleteAlias(caller.tenantId(), alias)) {
      throw NeuraSeaException.notFound("alias " + alias);
    }
    gateway.channelsChanged();
  }

  /** The caller's aliases (its tenant's, or the platform-wide ones). */
  public List<ModelAlias> aliases(Caller caller) {
    requireManage(caller);
    return storage.channels().listAliases().stream()
        .filter(a -> Objects.equals(a.tenantId(), caller.tenantId())).toList();
  }

  private ChannelRecord own(Caller caller, ChannelId id) {
    requireManage(caller);
    ChannelRecord record = storage.channels().findChannel(id).orElse(null);
    if (record == null || !Objects.equals(record.channel().tenantId(), caller.tenantId())) {
      throw NeuraSeaException.notFound("channel " + id);
    }
    return record;
  }

  private void requireManage(Caller caller) {
    Objects.requireNonNull(caller, "caller");
    if (caller.tenantId() == null) {
      permissions.require(caller, Permissions.PLATFORM_TENANTS_MANAGE, Scope.platform());
    } else {
      permissions.require(caller, Permissions.CHANNELS_MANAGE, Scope.tenant());
    }
  }

  private void checkGroups(List<FieldError> errors, TenantId tenantId, List<GroupId> groups) {
    if (groups.isEmpty()) {
      return;
    }
    if (tenantId == null) {
      errors.add(new FieldError("groups", "a platform-wide channel cannot be limited to a tenant's groups"));
      return;
    }
    for (GroupId group : groups) {
      if (storage.tenancy().findGroup(tenantId, group).isEmpty()) {
        errors.add(new FieldError("groups", "group " + group + " is not a group of this tenant"));
      }
    }
  }

  private static void checkKey(List<FieldError> errors, String key) {
    if (key != null && (key.length() > 4096 || key.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f))) {
      errors.add(new FieldError("apiKey", "must be at most 4096 printable characters"));
    }
  }

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }
}
