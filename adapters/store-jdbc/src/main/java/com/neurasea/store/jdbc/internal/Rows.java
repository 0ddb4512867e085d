package com.neurasea.store.jdbc.internal;

import com.neurasea.model.AccountStatus;
import com.neurasea.model.ApiToken;
import com.neurasea.model.BindingId;
import com.neurasea.model.Group;
import com.neurasea.model.GroupId;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Membership;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.RoleId;
import com.neurasea.model.Scope;
import com.neurasea.model.ScopeKind;
import com.neurasea.model.Subject;
import com.neurasea.model.SubjectKind;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantId;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.TokenId;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.spi.PasswordRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Locale;

/** Column conventions and row mappers shared by the stores. */
final class Rows {
  /** Stands for "none" in key columns that take part in unique constraints. */
  static final String NONE = "";

  private Rows() {}

  static Long millis(Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(value);
  }

  static String key(String valueOrNull) {
    return valueOrNull == null ? NONE : valueOrNull;
  }

  static String orNull(String key) {
    return key == null || key.isEmpty() ? null : key;
  }

  static String usernameKey(String username) {
    return username.toLowerCase(Locale.ROOT);
  }

  static Tenant tenant(ResultSet rs) throws SQLException {
    return new Tenant(
        new TenantId(rs.getString("id")),
        rs.getString("slug"),
        rs.getString("name"),
        TenantStatus.valueOf(rs.getString("status")),
        rs.getString("time_zone"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"));
  }

  static User user(ResultSet rs) throws SQLException {
    return new User(
        new UserId(rs.getString("id")),
        rs.getString("username"),
        rs.getString("display_name"),
        rs.getString("email"),
        rs.getString("phone"),
        LoginMethod.valueOf(rs.getString("login_method")),
        instant(rs, "email_verified_at"),
        instant(rs, "phone_verified_at"),
        AccountStatus.valueOf(rs.getString("status")),
        instant(rs, "created_at"),
        instant(rs, "updated_at"));
  }

  static Membership membership(ResultSet rs) throws SQLException {
    return new Membership(
        new TenantId(rs.getString("tenant_id")), new UserId(rs.getString("user_id")), instant(rs, "joined_at"));
  }

  static Group group(ResultSet rs) throws SQLException {
    String parent = orNull(rs.getString("parent_id"));
    return new Group(
        new GroupId(rs.getString("id")),
        new TenantId(rs.getString("tenant_id")),
        rs.getString("name"),
        parent == null ? null : new GroupId(parent),
        instant(rs, "created_at"));
  }

  static PasswordRecord password(ResultSet rs) throws SQLException {
    return new PasswordRecord(
        new UserId(rs.getString("user_id")),
        rs.getString("hash"),
        rs.getInt("failed_attempts"),
        instant(rs, "locked_until"),
        instant(rs, "last_login_at"));
  }

  static ApiToken token(ResultSet rs) throws SQLException {
    return new ApiToken(
        new TokenId(rs.getString("id")),
        new TenantId(rs.getString("tenant_id")),
        new UserId(rs.getString("user_id")),
        rs.getString("name"),
        rs.getString("prefix"),
        instant(rs, "created_at"),
        instant(rs, "expires_at"),
        instant(rs, "revoked_at"),
        instant(rs, "last_used_at"),
        StringLists.decode(rs.getString("ip_allow_list")),
        StringLists.decode(rs.getString("model_allow_list")));
  }

  static RoleBinding binding(ResultSet rs) throws SQLException {
    String tenant = orNull(rs.getString("tenant_id"));
    return new RoleBinding(
        new BindingId(rs.getString("id")),
        tenant == null ? null : new TenantId(tenant),
        new Subject(SubjectKind.valueOf(rs.getString("subject_kind")), rs.getString("subject_id")),
        new RoleId(rs.getString("role_id")),
        scope(rs.getString("scope_kind"), rs.getString("scope_group_id")),
        instant(rs, "created_at"));
  }

  static Scope scope(String kind, String groupId) {
    return switch (ScopeKind.valueOf(kind)) {
      case PLATFORM -> Scope.platform();
      case TENANT -> Scope.tenant();
      case GROUP -> Scope.group(new GroupId(groupId));
    };
  }
}
