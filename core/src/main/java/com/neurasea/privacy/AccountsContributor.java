package com.neurasea.privacy;

import com.neurasea.internal.CommandValidator;
import com.neurasea.internal.Generations;
import com.neurasea.internal.IdGenerator;
import com.neurasea.internal.Times;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.ApiToken;
import com.neurasea.model.DataSubject;
import com.neurasea.model.ErasureResult;
import com.neurasea.model.FieldError;
import com.neurasea.model.GroupId;
import com.neurasea.model.Membership;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.PersonalDataItem;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.Subject;
import com.neurasea.model.UpdateUser;
import com.neurasea.model.User;
import com.neurasea.spi.PersonalDataContributor;
import com.neurasea.spi.Storage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The platform's accounts as a {@link PersonalDataContributor}: the profile, contact details and
 * their verification, memberships, groups, role bindings, password record and API tokens.
 *
 * <p>Erasure anonymizes the account row (so ids other records point at stay valid), deletes its
 * memberships, group memberships, role bindings, password and tokens, and disables it; what a hold
 * or duty keeps is left as it is, and the account is disabled so nothing processes it any more.
 */
final class AccountsContributor implements PersonalDataContributor {
  static final String NAME = "accounts";

  private final CommandValidator validator;
  private final IdGenerator ids;
  private final Storage storage;
  private final Clock clock;
  private final Generations generations;

  AccountsContributor(Storage storage, Clock clock, Generations generations, CommandValidator validator,
      IdGenerator ids) {
    this.ids = ids;
    this.validator = validator;
    this.storage = storage;
    this.clock = clock;
    this.generations = generations;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PersonalDataItem> export(DataSubject subject) {
    List<PersonalDataItem> items = new ArrayList<>();
    User user = storage.tenancy().findUser(subject.userId()).orElse(null);
    if (user == null) {
      return items;
    }
    items.add(new PersonalDataItem("user.account.username", "username", user.username()));
    items.add(new PersonalDataItem("user.account.display_name", "displayName", user.displayName()));
    items.add(new PersonalDataItem("user.contact.email", "email", user.email()));
    items.add(new PersonalDataItem("user.account.verification_status", "emailVerifiedAt",
        text(user.emailVerifiedAt())));
    items.add(new PersonalDataItem("user.contact.phone", "phone", user.phone()));
    items.add(new PersonalDataItem("user.account.verification_status", "phoneVerifiedAt",
        text(user.phoneVerifiedAt())));
    items.add(new PersonalDataItem("user.account.login_method", "loginMethod", user.loginMethod().name()));
    items.add(new PersonalDataItem("user.account.status", "status", user.status().name()));
    items.add(new PersonalDataItem("user.account.status", "createdAt", text(user.createdAt())));
    storage.credentials().findPassword(user.id()).ifPresent(p -> {
      items.add(new PersonalDataItem("user.account.credential", "password", "set (stored as an Argon2id hash)"));
      items.add(new PersonalDataItem("user.account.credential", "lastSignInAt", text(p.lastLoginAt())));
      items.add(new PersonalDataItem("user.account.credential", "failedSignIns", Integer.toString(p.failedAttempts())));
    });
    int m = 0;
    for (Membership membership : storage.tenancy().listMemberships(user.id())) {
      String prefix = "memberships[" + m++ + "]";
      String tenant = storage.tenancy().findTenant(membership.tenantId()).map(t -> t.slug())
          .orElse(membership.tenantId().value());
      items.add(new PersonalDataItem("user.org.membership", prefix + ".tenant", tenant));
      items.add(new PersonalDataItem("user.org.membership", prefix + ".joinedAt", text(membership.joinedAt())));
      int g = 0;
      for (GroupId groupId : storage.tenancy().groupsOfUser(membership.tenantId(), user.id())) {
        String group = storage.tenancy().findGroup(membership.tenantId(), groupId).map(x -> x.name())
            .orElse(groupId.value());
        items.add(new PersonalDataItem("user.org.groups", prefix + ".groups[" + g++ + "]", group));
      }
      int b = 0;
      for (RoleBinding binding : storage.permissions().listBindings(membership.tenantId(), Subject.user(user.id()),
          PageRequest.first(PageRequest.MAX_LIMIT))) {
        items.add(new PersonalDataItem("user.org.roles", prefix + ".roles[" + b++ + "]",
            binding.roleId().value() + " at " + binding.scope()));
      }
      int k = 0;
      for (ApiToken token : storage.credentials().listTokens(membership.tenantId(), user.id(),
          PageRequest.first(PageRequest.MAX_LIMIT))) {
        String t = prefix + ".tokens[" + k++ + "]";
        items.add(new PersonalDataItem("user.org.tokens", t + ".name", token.name()));
        items.add(new PersonalDataItem("user.org.tokens", t + ".prefix", token.prefix()));
        items.add(new PersonalDataItem("user.org.tokens", t + ".createdAt", text(token.createdAt())));
        items.add(new PersonalDataItem("user.org.tokens", t + ".expiresAt", text(token.expiresAt())));
        items.add(new PersonalDataItem("user.org.tokens", t + ".revokedAt", text(token.revokedAt())));
        items.add(new PersonalDataItem("user.org.tokens", t + ".lastUsedAt", text(token.lastUsedAt())));
      }
    }
    return items;
  }

  @Override
  public Set<String> rectifiableFields() {
    return Set.of("displayName", "email", "phone");
  }

  @Override
  public Set<String> rectify(DataSubject subject, Map<String, String> corrections) {
    Set<String> mine = new LinkedHashSet<>();
    for (String field : corrections.keySet()) {
      if (field.equals("displayName") || field.equals("email") || field.equals("phone")) {
        mine.add(field);
      }
    }
    if (mine.isEmpty()) {
      return mine;
    }
    UpdateUser change = new UpdateUser(corrections.get("displayName"), corrections.get("email"),
        corrections.get("phone"));
    try {
      validator.validate("corrections", change);
    } catch (NeuraSeaException e) {
      throw new NeuraSeaException(e.code(), e.getMessage(), e.fieldErrors().stream()
          .map(f -> new FieldError("corrections." + f.field(), f.message())).toList(), null);
    }
    storage.inTransaction(stores -> {
      User u = stores.tenancy().findUser(subject.userId()).orElseThrow(() -> NeuraSeaException.notFound("user"));
      stores.tenancy().updateUser(u.withProfile(change, Times.now(clock)));
      return null;
    });
    return mine;
  }

  @Override
  public ErasureResult erase(DataSubject subject, Predicate<String> keep) {
    Set<String> erased = new HashSet<>();
    Set<String> restricted = new HashSet<>();
    Instant now = Times.now(clock);
    storage.inTransaction(stores -> {
      erased.clear();
      restricted.clear();
      User u = stores.tenancy().findUser(subject.userId()).orElse(null);
      if (u == null) {
        return null;
      }
      boolean keepProfile = keep.test("user.account.username") || keep.test("user.contact.email")
          || keep.test("user.contact.phone") || keep.test("user.account.display_name");
      User updated;
      if (keepProfile) {
        updated = u.withStatus(AccountStatus.DISABLED, now);
        restricted.addAll(List.of("user.account", "user.contact"));
      } else {
        updated = new User(u.id(), u.username(), null, null, null, u.loginMethod(), null, null, AccountStatus.DISABLED,
            u.createdAt(), now);
        erased.addAll(List.of("user.account.username", "user.account.display_name", "user.contact.email",
            "user.contact.phone", "user.account.verification_status"));
        restricted.add("user.account.status");
      }
      stores.tenancy().updateUser(updated);
      if (!keepProfile && !u.username().startsWith("erased-")) {
        stores.tenancy().renameUser(u.id(), ids.next("erased-"), now);
      }
      if (keep.test("user.org.membership") || keep.test("user.org.roles") || keep.test("user.org.groups")) {
        restricted.add("user.org");
      } else {
        for (Membership membership : stores.tenancy().listMemberships(u.id())) {
          stores.permissions().deleteBindingsOfUser(membership.tenantId(), u.id());
          for (GroupId group : stores.tenancy().groupsOfUser(membership.tenantId(), u.id())) {
            stores.tenancy().deleteGroupMember(membership.tenantId(), group, u.id());
          }
          stores.tenancy().deleteMembership(membership.tenantId(), u.id());
        }
        erased.addAll(List.of("user.org.membership", "user.org.groups", "user.org.roles"));
      }
      if (keep.test("user.account.credential") || keep.test("user.org.tokens")) {
        restricted.add("user.account.credential");
      } else {
        stores.credentials().deleteCredentials(u.id());
        erased.addAll(List.of("user.account.credential", "user.org.tokens"));
      }
      return null;
    });
    // Sessions, tokens and cached access of the account end everywhere.
    generations.bumpAll();
    return new ErasureResult(erased, restricted);
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
