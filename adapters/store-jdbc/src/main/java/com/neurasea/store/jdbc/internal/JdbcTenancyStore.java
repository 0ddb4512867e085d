package com.neurasea.store.jdbc.internal;

import static com.neurasea.store.jdbc.internal.Rows.key;
import static com.neurasea.store.jdbc.internal.Rows.millis;

import com.neurasea.model.Group;
import com.neurasea.model.GroupId;
import com.neurasea.model.Membership;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantId;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.spi.TenancyStore;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Tenants, users, memberships and groups over a {@link Session}. */
public final class JdbcTenancyStore implements TenancyStore {
  private static final Conflicts TENANT = Conflicts.fallback("id", "a tenant with this id already exists")
      .on("slug", "slug", "a tenant with this slug already exists");
  private static final Conflicts USER = Conflicts.fallback("id", "a user with this id already exists")
      .on("username_key", "username", "this username is already taken");
  private static final Conflicts MEMBER = Conflicts.fallback("userId", "the user is already a member");
  private static final Conflicts GROUP = Conflicts.fallback("id", "a group with this id already exists")
      .on("name", "name", "a sibling group with this name already exists");

  private static final String TENANT_COLUMNS = "id, slug, name, status, time_zone, created_at, updated_at";
  private static final String USER_COLUMNS = "u.id, u.username, u.display_name, u.email, u.phone, u.login_method, "
      + "u.email_verified_at, u.phone_verified_at, u.status, u.created_at, u.updated_at";
  private static final String GROUP_COLUMNS = "id, tenant_id, name, parent_id, created_at";

  private final Session session;

  /**
   * Creates the store.
   *
   * @param session where its statements run
   */
  public JdbcTenancyStore(Session session) {
    this.session = Objects.requireNonNull(session, "session");
  }

  @Override
  public void insertTenant(Tenant tenant) {
    session.call(h -> h.createUpdate("INSERT INTO tenants (" + TENANT_COLUMNS + ") "
            + "VALUES (:id, :slug, :name, :status, :timeZone, :createdAt, :updatedAt)")
        .bind("id", tenant.id().value())
        .bind("slug", tenant.slug())
        .bind("name", tenant.name())
        .bind("status", tenant.status().name())
        .bind("timeZone", tenant.timeZone())
        .bind("createdAt", millis(tenant.createdAt()))
        .bind("updatedAt", millis(tenant.updatedAt()))
        .execute(), TENANT);
  }

  @Override
  public Optional<Tenant> findTenant(TenantId id) {
    return session.read(h -> h.createQuery("SELECT " + TENANT_COLUMNS + " FROM tenants WHERE id = :id")
        .bind("id", id.value())
        .map((rs, ctx) -> Rows.tenant(rs))
        .findOne());
  }

  @Override
  public List<Tenant> listTenants(PageRequest page) {
    return session.read(h -> h.createQuery("SELECT " + TENANT_COLUMNS + " FROM tenants "
            + "ORDER BY created_at, id LIMIT :limit OFFSET :offset")
        .bind("limit", page.limit())
        .bind("offset", page.offset())
        .map((rs, ctx) -> Rows.tenant(rs))
        .list());
  }

  @Override
  public boolean updateTenant(Tenant tenant) {
    return session.call(h -> h.createUpdate("UPDATE tenants SET name = :name, status = :status, "
            + "time_zone = :timeZone, updated_at = :updatedAt WHERE id = :id")
        .bind("id", tenant.id().value())
        .bind("name", tenant.name())
        .bind("status", tenant.status().name())
        .bind("timeZone", tenant.timeZone())
        .bind("updatedAt", millis(tenant.updatedAt()))
        .execute(), TENANT) > 0;
  }

  @Override
  public void insertUser(User user) {
    session.call(h -> h.createUpdate("INSERT INTO users (id, username, username_key, display_name, email, phone, "
            + "login_method, email_verified_at, phone_verified_at, status, created_at, updated_at) "
            + "VALUES (:id, :username, :usernameKey, :displayName, :email, :phone, :loginMethod, "
            + ":emailVerifiedAt, :phoneVerifiedAt, :status, :createdAt, :updatedAt)")
        .bind("id", user.id().value())
        .bind("username", user.username())
        .bind("usernameKey", Rows.usernameKey(user.username()))
        .bind("displayName", user.displayName())
        .bind("email", user.email())
        .bind("phone", user.phone())
        .bind("loginMethod", user.loginMethod().name())
        .bind("emailVerifiedAt", millis(user.emailVerifiedAt()))
        .bind("phoneVerifiedAt", millis(user.phoneVerifiedAt()))
        .bind("status", user.status().name())
        .bind("createdAt", millis(user.createdAt()))
        .bind("updatedAt", millis(user.updatedAt()))
        .execute(), USER);
  }

  @Override
  public Optional<User> findUser(UserId id) {
    return session.read(h -> h.createQuery("SELECT " + USER_COLUMNS + " FROM users u WHERE u.id = :id")
        .bind("id", id.value())
        .map((rs, ctx) -> Rows.user(rs))
        .findOne());
  }

  @Override
  public Optional<User> findUserByUsername(String username) {
    return session.read(h -> h.createQuery("SELECT " + USER_COLUMNS + " FROM users u WHERE u.username_key = :key")
        .bind("key", Rows.usernameKey(username))
        .map((rs, ctx) -> Rows.user(rs))
        .findOne());
  }

  @Override
  public boolean updateUser(User user) {
    return session.call(h -> h.createUpdate("UPDATE users SET display_name = :displayName, email = :email, "
            + "phone = :phone, login_method = :loginMethod, email_verified_at = :emailVerifiedAt, "
            + "phone_verified_at = :phoneVerifiedAt, status = :status, updated_at = :updatedAt WHERE id = :id")
        .bind("id", user.id().value())
        .bind("displayName", user.displayName())
        .bind("email", user.email())
        .bind("phone", user.phone())
        .bind("loginMethod", user.loginMethod().name())
        .bind("emailVerifiedAt", millis(user.emailVerifiedAt()))
        .bind("phoneVerifiedAt", millis(user.phoneVerifiedAt()))
        .bind("status", user.status().name())
        .bind("updatedAt", millis(user.updatedAt()))
        .execute(), USER) > 0;
  }

  @Override
  public boolean renameUser(UserId id, String username, Instant at) {
    if (id == null) {
      throw NeuraSeaException.invalid("id", "is required");
    }
    if (username == null || username.isBlank()) {
      throw NeuraSeaException.invalid("username", "is required");
    }
    if (at == null) {
      throw NeuraSeaException.invalid("at", "is required");
    }
    return session.call(h -> h.createUpdate("UPDATE users SET username = :username, username_key = :usernameKey, "
            + "updated_at = :updatedAt WHERE id = :id")
        .bind("id", id.value())
        .bind("username", username)
        .bind("usernameKey", Rows.usernameKey(username))
        .bind("updatedAt", millis(at))
        .execute(), USER) > 0;
  }

  @Override
  public void insertMembership(Membership membership) {
    session.call(h -> h.createUpdate("INSERT INTO memberships (tenant_id, user_id, joined_at) "
            + "VALUES (:tenantId, :userId, :joinedAt)")
        .bind("tenantId", membership.tenantId().value())
        .bind("userId", membership.userId().value())
        .bind("joinedAt", millis(membership.joinedAt()))
        .execute(), MEMBER);
  }

  @Override
  public Optional<Membership> findMembership(TenantId tenantId, UserId userId) {
    return session.read(h -> h.createQuery("SELECT tenant_id, user_id, joined_at FROM memberships "
            + "WHERE tenant_id = :tenantId AND user_id = :userId")
        .bind("tenantId", tenantId.value())
        .bind("userId", userId.value())
        .map((rs, ctx) -> Rows.membership(rs))
        .findOne());
  }

  @Override
  public boolean deleteMembership(TenantId tenantId, UserId userId) {
    return session.atomic(h -> {
      h.createUpdate("DELETE FROM group_members WHERE tenant_id = :tenantId AND user_id = :userId")
          .bind("tenantId", tenantId.value())
          .bind("userId", userId.value())
          .execute();
      return h.createUpdate("DELETE FROM memberships WHERE tenant_id = :tenantId AND user_id = :userId")
          .bind("tenantId", tenantId.value())
          .bind("userId", userId.value())
          .execute() > 0;
    }, Conflicts.NONE);
  }

  @Override
  public List<User> listMembers(TenantId tenantId, PageRequest page) {
    return session.read(h -> h.createQuery("SELECT " + USER_COLUMNS + " FROM memberships m "
            + "JOIN users u ON u.id = m.user_id WHERE m.tenant_id = :tenantId "
            + "ORDER BY m.joined_at, m.user_id LIMIT :limit OFFSET :offset")
        .bind("tenantId", tenantId.value())
        .bind("limit", page.limit())
        .bind("offset", page.offset())
        .map((rs, ctx) -> Rows.user(rs))
        .list());
  }

  @Override
  public List<Membership> listMemberships(UserId userId) {
    return session.read(h -> h.createQuery("SELECT tenant_id, user_id, joined_at FROM memberships "
            + "WHERE user_id = :userId ORDER BY joined_at, tenant_id")
        .bind("userId", userId.value())
        .map((rs, ctx) -> Rows.membership(rs))
        .list());
  }

  @Override
  public void insertGroup(Group group) {
    session.call(h -> h.createUpdate("INSERT INTO tenant_groups (" + GROUP_COLUMNS + ") "
            + "VALUES (:id, :tenantId, :name, :parentId, :createdAt)")
        .bind("id", group.id().value())
        .bind("tenantId", group.tenantId().value())
        .bind("name", group.name())
        .bind("parentId", key(group.parentId() == null ? null : group.parentId().value()))
        .bind("createdAt", millis(group.createdAt()))
        .execute(), GROUP);
  }

  @Override
  public Optional<Group> findGroup(TenantId tenantId, GroupId groupId) {
    return session.read(h -> h.createQuery("SELECT " + GROUP_COLUMNS + " FROM tenant_groups "
            + "WHERE id = :id AND tenant_id = :tenantId")
        .bind("id", groupId.value())
        .bind("tenantId", tenantId.value())
        .map((rs, ctx) -> Rows.group(rs))
        .findOne());
  }

  @Override
  public boolean updateGroup(Group group) {
    return session.call(h -> h.createUpdate("UPDATE tenant_groups SET name = :name, parent_id = :parentId "
            + "WHERE id = :id AND tenant_id = :tenantId")
        .bind("id", group.id().value())
        .bind("tenantId", group.tenantId().value())
        .bind("name", group.name())
        .bind("parentId", key(group.parentId() == null ? null : group.parentId().value()))
        .execute(), GROUP) > 0;
  }

  @Override
  public boolean deleteGroup(TenantId tenantId, GroupId groupId) {
    return session.atomic(h -> {
      h.createUpdate("DELETE FROM group_members WHERE tenant_id = :tenantId AND group_id = :groupId")
          .bind("tenantId", tenantId.value())
          .bind("groupId", groupId.value())
          .execute();
      return h.createUpdate("DELETE FROM tenant_groups WHERE id = :groupId AND tenant_id = :tenantId")
          .bind("tenantId", tenantId.value())
          .bind("groupId", groupId.value())
          .execute() > 0;
    }, Conflicts.NONE);
  }

  @Override
  public List<Group> listGroups(TenantId tenantId, PageRequest page) {
    return session.read(h -> h.createQuery("SELECT " + GROUP_COLUMNS + " FROM tenant_groups "
            + "WHERE tenant_id = :tenantId ORDER BY created_at, id LIMIT :limit OFFSET :offset")
        .bind("tenantId", tenantId.value())
        .bind("limit", page.limit())
        .bind("offset", page.offset())
        .map((rs, ctx) -> Rows.group(rs))
        .list());
  }

  @Override
  public List<Group> childGroups(TenantId tenantId, GroupId parentId) {
    return session.read(h -> h.createQuery("SELECT " + GROUP_COLUMNS + " FROM tenant_groups "
            + "WHERE tenant_id = :tenantId AND parent_id = :parentId ORDER BY created_at, id")
        .bind("tenantId", tenantId.value())
        .bind("parentId", parentId.value())
        .map((rs, ctx) -> Rows.group(rs))
        .list());
  }

  @Override
  public List<GroupId> groupAndAncestors(TenantId tenantId, GroupId groupId) {
    // The depth bound stops the walk should a parent cycle ever be written.
    return session.read(h -> h.createQuery("WITH RECURSIVE chain(id, parent_id, depth) AS ("
            + " SELECT id, parent_id, 0 FROM tenant_groups WHERE id = :groupId AND tenant_id = :tenantId"
            + " UNION ALL"
            + " SELECT g.id, g.parent_id, c.depth + 1 FROM tenant_groups g JOIN chain c ON g.id = c.parent_id"
            + " WHERE g.tenant_id = :tenantId AND c.depth < 1000"
            + ") SELECT id FROM chain ORDER BY depth")
        .bind("tenantId", tenantId.value())
        .bind("groupId", groupId.value())
        .map((rs, ctx) -> new GroupId(rs.getString(1)))
        .list());
  }

  @Override
  public void insertGroupMember(TenantId tenantId, GroupId groupId, UserId userId) {
    session.call(h -> h.createUpdate("INSERT INTO group_members (tenant_id, group_id, user_id) "
            + "VALUES (:tenantId, :groupId, :userId)")
        .bind("tenantId", tenantId.value())
        .bind("groupId", groupId.value())
        .bind("userId", userId.value())
        .execute(), MEMBER);
  }

  @Override
  public boolean deleteGroupMember(TenantId tenantId, GroupId groupId, UserId userId) {
    return session.call(h -> h.createUpdate("DELETE FROM group_members "
            + "WHERE tenant_id = :tenantId AND group_id = :groupId AND user_id = :userId")
        .bind("tenantId", tenantId.value())
        .bind("groupId", groupId.value())
        .bind("userId", userId.value())
        .execute(), Conflicts.NONE) > 0;
  }

  @Override
  public List<UserId> listGroupMembers(TenantId tenantId, GroupId groupId, PageRequest page) {
    // Group membership carries no timestamp of its own: members are listed in the order the users
    // were created, then by id.
    return session.read(h -> h.createQuery("SELECT gm.user_id FROM group_members gm "
            + "LEFT JOIN users u ON u.id = gm.user_id "
            + "WHERE gm.tenant_id = :tenantId AND gm.group_id = :groupId "
            + "ORDER BY COALESCE(u.created_at, 0), gm.user_id LIMIT :limit OFFSET :offset")
        .bind("tenantId", tenantId.value())
        .bind("groupId", groupId.value())
        .bind("limit", page.limit())
        .bind("offset", page.offset())
        .map((rs, ctx) -> new UserId(rs.getString(1)))
        .list());
  }

  @Override
  public List<GroupId> groupsOfUser(TenantId tenantId, UserId userId) {
    return session.read(h -> h.createQuery("SELECT gm.group_id FROM group_members gm "
            + "LEFT JOIN tenant_groups g ON g.id = gm.group_id "
            + "WHERE gm.tenant_id = :tenantId AND gm.user_id = :userId "
            + "ORDER BY COALESCE(g.created_at, 0), gm.group_id")
        .bind("tenantId", tenantId.value())
        .bind("userId", userId.value())
        .map((rs, ctx) -> new GroupId(rs.getString(1)))
        .list());
  }
}
