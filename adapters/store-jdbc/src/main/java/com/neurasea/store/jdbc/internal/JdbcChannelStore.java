package com.neurasea.store.jdbc.internal;

import static com.neurasea.store.jdbc.internal.Rows.instant;
import static com.neurasea.store.jdbc.internal.Rows.millis;

import com.neurasea.model.Channel;
import com.neurasea.model.ChannelId;
import com.neurasea.model.ChannelStatus;
import com.neurasea.model.ChannelType;
import com.neurasea.model.GroupId;
import com.neurasea.model.ModelAlias;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.TenantId;
import com.neurasea.spi.ChannelRecord;
import com.neurasea.spi.ChannelStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * Upstream channels and model aliases over a {@link Session} (see the V6 migration). The platform
 * owns the rows whose tenant is '' ({@link Rows#NONE}), which sort before every tenant's.
 */
public final class JdbcChannelStore implements ChannelStore {
  private static final Conflicts CHANNEL = Conflicts.fallback("id", "a channel with this id already exists")
      .on("name", "name", "its owner already has a channel with this name");

  private static final String CHANNEL_COLUMNS = "id, tenant_id, name, type, base_url, models, model_mapping, "
      + "priority, weight, group_ids, requests_per_minute, max_concurrency, connect_timeout_ms, read_timeout_ms, "
      + "options, status, status_reason, credential_hint, sealed_credential, version, created_at, updated_at";
  private static final String ALIAS_COLUMNS = "tenant_id, alias, model, created_at";

  private final Session session;

  /**
   * Creates the store.
   *
   * @param session where its statements run
   */
  public JdbcChannelStore(Session session) {
    this.session = Objects.requireNonNull(session, "session");
  }

  // ---- channels

  @Override
  public void insertChannel(ChannelRecord record) {
    required("record", record);
    Channel channel = record.channel();
    session.call(h -> bindSettings(h.createUpdate("INSERT INTO channels (" + CHANNEL_COLUMNS + ") VALUES (:id, "
                + ":tenantId, :name, :type, :baseUrl, :models, :modelMapping, :priority, :weight, :groupIds, "
                + ":requestsPerMinute, :maxConcurrency, :connectTimeoutMs, :readTimeoutMs, :options, :status, "
                + ":statusReason, :credentialHint, :sealedCredential, :version, :createdAt, :updatedAt)"), record)
        .bind("tenantId", owner(channel.tenantId()))
        .bind("createdAt", millis(channel.createdAt()))
        .execute(), CHANNEL);
  }

  @Override
  public boolean updateChannel(ChannelRecord record, long expectedVersion) {
    required("record", record);
    // The owner and the creation time never change.
    return session.call(h -> bindSettings(h.createUpdate("UPDATE channels SET name = :name, type = :type, "
                + "base_url = :baseUrl, models = :models, model_mapping = :modelMapping, priority = :priority, "
                + "weight = :weight, group_ids = :groupIds, requests_per_minute = :requestsPerMinute, "
                + "max_concurrency = :maxConcurrency, connect_timeout_ms = :connectTimeoutMs, "
                + "read_timeout_ms = :readTimeoutMs, options = :options, status = :status, "
                + "status_reason = :statusReason, credential_hint = :credentialHint, "
                + "sealed_credential = :sealedCredential, version = :version, updated_at = :updatedAt "
                + "WHERE id = :id AND version = :expectedVersion"), record)
        .bind("expectedVersion", expectedVersion)
        .execute(), CHANNEL) > 0;
  }

  private static <S extends SqlStatement<S>> S bindSettings(S statement, ChannelRecord record) {
    Channel channel = record.channel();
    return statement
        .bind("id", channel.id().value())
        .bind("name", channel.name())
        .bind("type", channel.type().name())
        .bind("baseUrl", channel.baseUrl())
        .bind("models", StringLists.encode(channel.models()))
        .bind("modelMapping", encodeMap(channel.modelMapping()))
        .bind("priority", channel.priority())
        .bind("weight", channel.weight())
        .bind("groupIds", StringLists.encode(channel.groups().stream().map(GroupId::value).toList()))
        .bind("requestsPerMinute", channel.requestsPerMinute())
        .bind("maxConcurrency", channel.maxConcurrency())
        .bind("connectTimeoutMs", channel.connectTimeoutMillis())
        .bind("readTimeoutMs", channel.readTimeoutMillis())
        .bind("options", encodeMap(channel.options()))
        .bind("status", channel.status().name())
        .bind("statusReason", channel.statusReason())
        .bind("credentialHint", channel.credentialHint())
        .bind("sealedCredential", record.sealedCredential())
        .bind("version", channel.version())
        .bind("updatedAt", millis(channel.updatedAt()));
  }

  @Override
  public boolean setChannelStatus(ChannelId id, ChannelStatus status, String reason, Instant at) {
    required("id", id);
    required("status", status);
    required("at", at);
    return session.call(h -> h.createUpdate("UPDATE channels SET status = :status, status_reason = :reason, "
            + "version = version + 1, updated_at = :at WHERE id = :id")
        .bind("status", status.name())
        .bind("reason", reason)
        .bind("at", millis(at))
        .bind("id", id.value())
        .execute(), Conflicts.NONE) > 0;
  }

  @Override
  public Optional<ChannelRecord> findChannel(ChannelId id) {
    required("id", id);
    return session.read(h -> h.createQuery("SELECT " + CHANNEL_COLUMNS + " FROM channels WHERE id = :id")
        .bind("id", id.value())
        .map((rs, ctx) -> channel(rs))
        .findOne());
  }

  @Override
  public List<ChannelRecord> listChannels() {
    return session.read(h -> h.createQuery("SELECT " + CHANNEL_COLUMNS + " FROM channels "
            + "ORDER BY tenant_id, name")
        .map((rs, ctx) -> channel(rs))
        .list());
  }

  @Override
  public boolean deleteChannel(ChannelId id) {
    required("id", id);
    return session.call(h -> h.createUpdate("DELETE FROM channels WHERE id = :id")
        .bind("id", id.value())
        .execute(), Conflicts.NONE) > 0;
  }

  @Override
  public int deleteChannelsOf(TenantId tenantId) {
    required("tenantId", tenantId);
    return session.atomic(h -> {
      h.createUpdate("DELETE FROM model_aliases WHERE tenant_id = :tenantId")
          .bind("tenantId", tenantId.value())
          .execute();
      return h.createUpdate("DELETE FROM channels WHERE tenant_id = :tenantId")
          .bind("tenantId", tenantId.value())
          .execute();
    }, Conflicts.NONE);
  }

  // ---- aliases

  @Override
  public void putAlias(ModelAlias alias) {
    required("alias", alias);
    session.call(h -> h.createUpdate("INSERT INTO model_aliases (" + ALIAS_COLUMNS + ") VALUES (:tenantId, :alias, "
            + ":model, :createdAt) ON CONFLICT (tenant_id, alias) DO UPDATE SET model = excluded.model, "
            + "created_at = excluded.created_at")
        .bind("tenantId", owner(alias.tenantId()))
        .bind("alias", alias.alias())
        .bind("model", alias.model())
        .bind("createdAt", millis(alias.createdAt()))
        .execute(), Conflicts.NONE);
  }

  @Override
  public boolean deleteAlias(TenantId tenantId, String alias) {
    required("alias", alias);
    return session.call(h -> h.createUpdate("DELETE FROM model_aliases WHERE tenant_id = :tenantId "
            + "AND alias = :alias")
        .bind("tenantId", owner(tenantId))
        .bind("alias", alias)
        .execute(), Conflicts.NONE) > 0;
  }

  @Override
  public List<ModelAlias> listAliases() {
    return session.read(h -> h.createQuery("SELECT " + ALIAS_COLUMNS + " FROM model_aliases "
            + "ORDER BY tenant_id, alias")
        .map((rs, ctx) -> alias(rs))
        .list());
  }

  // ---- rows

  private static ChannelRecord channel(ResultSet rs) throws SQLException {
    List<GroupId> groups = new ArrayList<>();
    for (String group : StringLists.decode(rs.getString("group_ids"))) {
      groups.add(new GroupId(group));
    }
    Channel channel = new Channel(
        new ChannelId(rs.getString("id")),
        tenant(rs.getString("tenant_id")),
        rs.getString("name"),
        ChannelType.valueOf(rs.getString("type")),
        rs.getString("base_url"),
        StringLists.decode(rs.getString("models")),
        decodeMap(rs.getString("model_mapping")),
        rs.getInt("priority"),
        rs.getInt("weight"),
        groups,
        rs.getInt("requests_per_minute"),
        rs.getInt("max_concurrency"),
        rs.getLong("connect_timeout_ms"),
        rs.getLong("read_timeout_ms"),
        decodeMap(rs.getString("options")),
        ChannelStatus.valueOf(rs.getString("status")),
        rs.getString("status_reason"),
        rs.getString("credential_hint"),
        rs.getLong("version"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"));
    return new ChannelRecord(channel, rs.getString("sealed_credential"));
  }

  private static ModelAlias alias(ResultSet rs) throws SQLException {
    return new ModelAlias(tenant(rs.getString("tenant_id")), rs.getString("alias"), rs.getString("model"),
        instant(rs, "created_at"));
  }

  private static String owner(TenantId tenantId) {
    return tenantId == null ? Rows.NONE : tenantId.value();
  }

  private static TenantId tenant(String owner) {
    String value = Rows.orNull(owner);
    return value == null ? null : new TenantId(value);
  }

  /** A map as a JSON array of alternating keys and values, by key. */
  static String encodeMap(Map<String, String> map) {
    List<String> entries = new ArrayList<>(map.size() * 2);
    new TreeMap<>(map).forEach((key, value) -> {
      entries.add(key);
      entries.add(value);
    });
    return StringLists.encode(entries);
  }

  static Map<String, String> decodeMap(String text) {
    List<String> entries = StringLists.decode(text);
    if (entries.size() % 2 != 0) {
      throw new IllegalArgumentException("a stored map has a key without a value");
    }
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < entries.size(); i += 2) {
      map.put(entries.get(i), entries.get(i + 1));
    }
    return map;
  }

  private static void required(String field, Object value) {
    if (value == null) {
      throw NeuraSeaException.invalid(field, "is required");
    }
  }
}
