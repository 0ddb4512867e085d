package com.neurasea.http;

import com.neurasea.model.AccountStatus;
import com.neurasea.model.GroupId;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Principal;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import java.util.List;

/**
 * Request and response bodies of the admin API that are not platform model records. The platform's
 * commands ({@code CreateTenant}, {@code CreateUser}, ...) and records are used as they are.
 */
final class ApiBodies {
  private ApiBodies() {}

  /**
   * {@code PUT /tenants/{tenantId}/status}.
   *
   * @param status the new status
   */
  record TenantStatusChange(TenantStatus status) {}

  /**
   * {@code PUT .../users/{userId}/status}.
   *
   * @param status the new status
   */
  record UserStatusChange(AccountStatus status) {}

  /**
   * {@code PUT .../users/{userId}/password}.
   *
   * @param password the new password; never echoed or logged
   */
  record PasswordChange(String password) {
    @Override
    public String toString() {
      return "PasswordChange[<redacted>]";
    }
  }

  /**
   * {@code POST .../members}: adds an existing account to the tenant.
   *
   * @param userId the account
   */
  record NewMember(UserId userId) {}

  /**
   * {@code POST .../permissions/check}.
   *
   * @param permission a concrete permission, e.g. {@code models:use:gpt-4o}
   * @param groupId the group to check at, null for the whole tenant
   */
  record PermissionQuestion(String permission, GroupId groupId) {}

  /**
   * The answer to a permission check.
   *
   * @param allowed whether the caller holds the permission
   */
  record PermissionAnswer(boolean allowed) {}

  /**
   * A page of a listing.
   *
   * @param data the items
   * @param offset how many items were skipped
   * @param limit the page size asked for
   * @param <T> the item type
   */
  record Page<T>(List<T> data, int offset, int limit) {
    static <T> Page<T> of(List<T> data, PageRequest page) {
      return new Page<>(data, page.offset(), page.limit());
    }
  }

  /**
   * A complete, unpaged listing.
   *
   * @param data the items
   * @param <T> the item type
   */
  record Items<T>(List<T> data) {
    static <T> Items<T> of(Iterable<T> data) {
      List<T> list = new java.util.ArrayList<>();
      data.forEach(list::add);
      return new Items<>(list);
    }
  }

  /**
   * {@code GET /me}.
   *
   * @param principal who the credentials stand for
   * @param user the account
   */
  record Me(Principal principal, User user) {}

  /**
   * {@code GET /healthz}.
   *
   * @param status always {@code ok} while the servlet answers
   */
  record Health(String status) {}
}
