package com.neurasea.tck;

import static com.neurasea.tck.TckAssertions.assertConflict;
import static com.neurasea.tck.TckFixtures.nextInstant;
import static com.neurasea.tck.TckFixtures.randomId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.model.Channel;
import com.neurasea.model.ChannelId;
import com.neurasea.model.ChannelStatus;
import com.neurasea.model.ChannelType;
import com.neurasea.model.GroupId;
import com.neurasea.model.ModelAlias;
import com.neurasea.model.TenantId;
import com.neurasea.spi.ChannelRecord;
import com.neurasea.spi.ChannelStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ChannelStore}: channels stored with every setting and their sealed
 * credential, their names unique per owner (a tenant, or the platform), replaced under an optimistic
 * version check, their status set with a new version, deleted one by one or with their tenant, and
 * listed platform first, then by tenant and name; model aliases set, replaced, deleted and listed
 * the same way, a tenant's alias living beside the platform's of the same name.
 *
 * <p>A storage adapter passes it by extending this class in its own tests and implementing
 * {@link #newStorage()}. Each test opens one storage before it runs and closes it afterwards.
 */
public abstract class ChannelStoreContract extends StorageUnderTest {
  /** Characters a store must keep as they are in a map value or a sealed credential. */
  /** Every character a value may hold that a naive encoding gets wrong (control characters are refused). */
  private static final String AWKWARD = "\"quoted\" back\\slash, =;, ünïcødé 通道 😀, [\"json\"], {\"k\":1}";

  // ---- channels

  @Test
  void aTenantChannelRoundTripsWithEverySetting() {
    TenantId tenant = tenantId();
    Instant created = nextInstant();
    Map<String, String> options = new LinkedHashMap<>();
    options.put("api-version", "2024-10-21");
    options.put("anthropic-version", "2023-06-01");
    options.put("x.awkward_value", AWKWARD);
    options.put("empty", "");
    Channel channel = new Channel(channelId(), tenant, "Azure east, \"primary\" 主", ChannelType.AZURE_OPENAI,
        "https://east.example.openai.azure.com/base/path", List.of("gpt-4o", "gpt-4o-mini", "o3=strange,name"),
        Map.of("gpt-4o", "deployment-4o", "o3=strange,name", "dep=\"x\""), -7, 250,
        List.of(groupId(), groupId()), 600, 32, 1_500, 120_000, options, ChannelStatus.AUTO_DISABLED,
        "provider said 401:\n\t" + AWKWARD, "…x9Zq", 42, created, nextInstant());
    ChannelRecord record = new ChannelRecord(channel, "v1.\n" + AWKWARD + ".sealed/+=");

    store().insertChannel(record);

    assertThat(store().findChannel(channel.id())).contains(record);
    assertThat(store().findChannel(channelId())).isEmpty();
  }

  @Test
  void aPlatformChannelWithoutCredentialRoundTripsWithEmptySettings() {
    Instant at = nextInstant();
    Channel channel = new Channel(channelId(), null, "local vllm", ChannelType.OPENAI_COMPATIBLE,
        "http://10.0.0.5:8000/v1", List.of(), Map.of(), 0, 1, List.of(), 0, 0, 1, 1, Map.of(),
        ChannelStatus.ENABLED, null, "", 0, at, at);
    ChannelRecord record = new ChannelRecord(channel, null);

    store().insertChannel(record);

    ChannelRecord found = store().findChannel(channel.id()).orElseThrow();
    assertThat(found).isEqualTo(record);
    assertThat(found.channel().tenantId()).isNull();
    assertThat(found.sealedCredential()).isNull();
    assertThat(found.channel().statusReason()).isNull();
    assertThat(found.channel().credentialHint()).isEmpty();
  }

  @Test
  void aChannelServingTheMostModelsWithTheLongestNamesRoundTrips() {
    List<String> models = new ArrayList<>();
    Map<String, String> mapping = new LinkedHashMap<>();
    for (int i = 0; i < Channel.MAX_MODELS; i++) {
      String model = String.format("m%04d-", i) + "x".repeat(122);
      models.add(model);
      if (i % 10 == 0) {
        mapping.put(model, "deployment-" + i + "-" + "y".repeat(200));
      }
    }
    ChannelRecord record = new ChannelRecord(channel(tenantId(), "big", ChannelStatus.ENABLED, 1, models, mapping),
        "sealed-" + "z".repeat(4_000));

    store().insertChannel(record);

    assertThat(store().findChannel(record.channel().id())).contains(record);
  }

  @Test
  void aTakenNameConflictsOnNameWithinATenant() {
    TenantId tenant = tenantId();
    ChannelRecord first = stored(tenant, "main");
    ChannelRecord second = record(tenant, "main");

    assertConflict(() -> store().insertChannel(second), "name");

    assertThat(store().findChannel(first.channel().id())).contains(first);
    assertThat(store().findChannel(second.channel().id())).isEmpty();
  }

  @Test
  void aTakenNameConflictsOnNameAmongPlatformChannels() {
    ChannelRecord first = stored(null, "main");
    ChannelRecord second = record(null, "main");

    assertConflict(() -> store().insertChannel(second), "name");

    assertThat(store().listChannels()).containsExactly(first);
  }

  @Test
  void differentOwnersMayUseTheSameName() {
    ChannelRecord platform = stored(null, "main");
    ChannelRecord ofOne = stored(tenantId(), "main");
    ChannelRecord ofAnother = stored(tenantId(), "main");

    assertThat(store().listChannels()).containsExactlyInAnyOrder(platform, ofOne, ofAnother);
    // Names differ by case only: not the same name.
    ChannelRecord upper = stored(ofOne.channel().tenantId(), "MAIN");
    assertThat(store().findChannel(upper.channel().id())).contains(upper);
  }

  @Test
  void aTakenIdConflicts() {
    ChannelRecord first = stored(tenantId(), "first");
    Channel c = first.channel();
    ChannelRecord again = new ChannelRecord(new Channel(c.id(), tenantId(), "other", c.type(), c.baseUrl(), c.models(),
        c.modelMapping(), c.priority(), c.weight(), List.of(), c.requestsPerMinute(), c.maxConcurrency(),
        c.connectTimeoutMillis(), c.readTimeoutMillis(), c.options(), c.status(), null, "", 0, nextInstant(),
        nextInstant()), null);

    assertConflict(() -> store().insertChannel(again));

    assertThat(store().listChannels()).containsExactly(first);
  }

  @Test
  void anUpdateReplacesEverySettingAtTheExpectedVersion() {
    TenantId tenant = tenantId();
    ChannelRecord stored = stored(tenant, "main");
    Channel c = stored.channel();
    Channel changed = new Channel(c.id(), tenant, "renamed", ChannelType.ANTHROPIC, "https://api.anthropic.com",
        List.of("claude-x", "claude-y"), Map.of("claude-x", "claude-x-2025"), 5, 9_999, List.of(groupId()), 1,
        2, 3, 4, Map.of("anthropic-version", "2023-06-01"), ChannelStatus.DISABLED, "maintenance", "…abcd",
        c.version() + 1, c.createdAt(), nextInstant());
    ChannelRecord next = new ChannelRecord(changed, "rotated-credential");

    assertThat(store().updateChannel(next, c.version())).isTrue();
    assertThat(store().findChannel(c.id())).contains(next);

    // The credential removed, the status reason cleared.
    Channel cleared = new Channel(c.id(), tenant, "renamed", ChannelType.ANTHROPIC, "https://api.anthropic.com",
        List.of(), Map.of(), 0, 1, List.of(), 0, 0, 1, 1, Map.of(), ChannelStatus.ENABLED, null, "",
        changed.version() + 1, c.createdAt(), nextInstant());
    ChannelRecord last = new ChannelRecord(cleared, null);
    assertThat(store().updateChannel(last, changed.version())).isTrue();
    assertThat(store().findChannel(c.id())).contains(last);
  }

  @Test
  void anUpdateAtAnotherVersionChangesNothing() {
    ChannelRecord stored = stored(tenantId(), "main");
    Channel c = stored.channel();
    ChannelRecord stale = renamed(stored, "stale", c.version() + 1);

    assertThat(store().updateChannel(stale, c.version() + 1)).isFalse();
    assertThat(store().updateChannel(stale, c.version() - 1)).isFalse();
    assertThat(store().findChannel(c.id())).contains(stored);

    ChannelRecord fresh = renamed(stored, "fresh", c.version() + 1);
    assertThat(store().updateChannel(fresh, c.version())).isTrue();
    // A second writer that read the same version loses.
    assertThat(store().updateChannel(renamed(stored, "lost", c.version() + 1), c.version())).isFalse();
    assertThat(store().findChannel(c.id())).contains(fresh);
  }

  @Test
  void anUpdateOfAMissingChannelReturnsFalse() {
    ChannelRecord never = record(tenantId(), "never stored");

    assertThat(store().updateChannel(never, never.channel().version())).isFalse();
    assertThat(store().findChannel(never.channel().id())).isEmpty();
    assertThat(store().listChannels()).isEmpty();
  }

  @Test
  void anUpdateToATakenNameConflictsOnNameAndChangesNothing() {
    TenantId tenant = tenantId();
    stored(tenant, "taken");
    ChannelRecord stored = stored(tenant, "main");
    ChannelRecord platform = stored(null, "platform name");

    assertConflict(() -> store().updateChannel(renamed(stored, "taken", stored.channel().version() + 1),
        stored.channel().version()), "name");

    assertThat(store().findChannel(stored.channel().id())).contains(stored);
    // A platform channel's name is another owner's: free for the tenant.
    ChannelRecord next = renamed(stored, platform.channel().name(), stored.channel().version() + 1);
    assertThat(store().updateChannel(next, stored.channel().version())).isTrue();
    assertThat(store().findChannel(stored.channel().id())).contains(next);
  }

  @Test
  void settingTheStatusRecordsItsReasonAndIncreasesTheVersion() {
    ChannelRecord stored = stored(tenantId(), "main");
    Channel c = stored.channel();
    Instant disabledAt = nextInstant();

    assertThat(store().setChannelStatus(c.id(), ChannelStatus.AUTO_DISABLED, "401 from the provider", disabledAt))
        .isTrue();

    Channel disabled = store().findChannel(c.id()).orElseThrow().channel();
    assertThat(disabled.status()).isEqualTo(ChannelStatus.AUTO_DISABLED);
    assertThat(disabled.statusReason()).isEqualTo("401 from the provider");
    assertThat(disabled.version()).isEqualTo(c.version() + 1);
    assertThat(disabled.updatedAt()).isEqualTo(disabledAt);
    assertThat(withStatus(disabled, c.status(), c.statusReason(), c.version(), c.updatedAt())).isEqualTo(c);
    assertThat(store().findChannel(c.id()).orElseThrow().sealedCredential()).isEqualTo(stored.sealedCredential());

    Instant enabledAt = nextInstant();
    assertThat(store().setChannelStatus(c.id(), ChannelStatus.ENABLED, null, enabledAt)).isTrue();
    Channel enabled = store().findChannel(c.id()).orElseThrow().channel();
    assertThat(enabled.status()).isEqualTo(ChannelStatus.ENABLED);
    assertThat(enabled.statusReason()).isNull();
    assertThat(enabled.version()).isEqualTo(c.version() + 2);
    assertThat(enabled.updatedAt()).isEqualTo(enabledAt);

    // An update from a version read before the status change loses.
    assertThat(store().updateChannel(renamed(stored, "late", c.version() + 1), c.version())).isFalse();
    assertThat(store().setChannelStatus(channelId(), ChannelStatus.DISABLED, "gone", nextInstant())).isFalse();
  }

  @Test
  void aDeletedChannelIsGone() {
    ChannelRecord deleted = stored(tenantId(), "main");
    ChannelRecord kept = stored(deleted.channel().tenantId(), "other");

    assertThat(store().deleteChannel(deleted.channel().id())).isTrue();

    assertThat(store().findChannel(deleted.channel().id())).isEmpty();
    assertThat(store().listChannels()).containsExactly(kept);
    assertThat(store().deleteChannel(deleted.channel().id())).isFalse();
    assertThat(store().updateChannel(renamed(deleted, "back", 1), 0)).isFalse();
    assertThat(store().setChannelStatus(deleted.channel().id(), ChannelStatus.DISABLED, null, nextInstant()))
        .isFalse();
    // Its name is free again.
    ChannelRecord again = stored(deleted.channel().tenantId(), "main");
    assertThat(store().findChannel(again.channel().id())).contains(again);
  }

  @Test
  void deletingATenantsChannelsTakesItsChannelsAndAliasesOnly() {
    TenantId tenant = tenantId();
    TenantId other = tenantId();
    stored(tenant, "a");
    stored(tenant, "b");
    ChannelRecord othersChannel = stored(other, "a");
    ChannelRecord platformChannel = stored(null, "a");
    store().putAlias(alias(tenant, "fast", "model-a"));
    store().putAlias(alias(tenant, "smart", "model-b"));
    ModelAlias othersAlias = alias(other, "fast", "model-a");
    ModelAlias platformAlias = alias(null, "fast", "model-b");
    store().putAlias(othersAlias);
    store().putAlias(platformAlias);

    assertThat(store().deleteChannelsOf(tenant)).isEqualTo(2);

    assertThat(store().listChannels()).containsExactlyInAnyOrder(platformChannel, othersChannel);
    assertThat(store().listAliases()).containsExactlyInAnyOrder(platformAlias, othersAlias);
    assertThat(store().deleteChannelsOf(tenant)).isZero();
    assertThat(store().deleteChannelsOf(tenantId())).isZero();
  }

  @Test
  void channelsAreListedPlatformFirstThenByTenantThenName() {
    List<TenantId> tenants = List.of(tenantId(), tenantId(), tenantId());
    List<String> names = List.of("alpha", "beta", "gamma-1", "gamma-2");
    List<ChannelRecord> records = new ArrayList<>();
    for (String name : names) {
      records.add(record(null, name));
      for (TenantId tenant : tenants) {
        records.add(record(tenant, name));
      }
    }
    List<ChannelRecord> shuffled = new ArrayList<>(records);
    Collections.shuffle(shuffled, new Random(7));
    shuffled.forEach(store()::insertChannel);
    List<ChannelRecord> expected = records.stream()
        .sorted(Comparator.comparing((ChannelRecord r) -> owner(r.channel().tenantId()))
            .thenComparing(r -> r.channel().name()))
        .toList();

    assertThat(store().listChannels()).containsExactlyElementsOf(expected);
    assertThat(store().listChannels().subList(0, names.size())).allSatisfy(r ->
        assertThat(r.channel().tenantId()).isNull());
  }

  @Test
  void aRolledBackUnitOfWorkLeavesNoChannelOrAlias() {
    ChannelRecord existing = stored(tenantId(), "existing");
    ChannelRecord inserted = record(tenantId(), "inserted");
    ModelAlias alias = alias(null, "fast", "model-a");

    assertThatThrownBy(() -> storage().inTransaction(stores -> {
      ChannelStore channels = stores.channels();
      channels.insertChannel(inserted);
      channels.putAlias(alias);
      assertThat(channels.updateChannel(renamed(existing, "renamed", 1), 0)).isTrue();
      assertThat(channels.deleteChannel(existing.channel().id())).isTrue();
      throw new IllegalStateException("the change failed");
    })).isInstanceOf(IllegalStateException.class).hasMessage("the change failed");

    assertThat(store().listChannels()).containsExactly(existing);
    assertThat(store().listAliases()).isEmpty();
  }

  // ---- aliases

  @Test
  void anAliasIsSetAndReplaced() {
    TenantId tenant = tenantId();
    ModelAlias first = alias(tenant, "fast", "model-a");
    store().putAlias(first);
    assertThat(store().listAliases()).containsExactly(first);

    ModelAlias replaced = alias(tenant, "fast", "model-b");
    store().putAlias(replaced);

    assertThat(store().listAliases()).containsExactly(replaced);
    ModelAlias platform = alias(null, "fast", "model-c");
    store().putAlias(platform);
    ModelAlias platformReplaced = alias(null, "fast", "model-d");
    store().putAlias(platformReplaced);
    assertThat(store().listAliases()).containsExactly(platformReplaced, replaced);
  }

  @Test
  void aTenantAliasAndAPlatformAliasOfTheSameNameLiveSideBySide() {
    TenantId tenant = tenantId();
    ModelAlias platform = alias(null, "gpt-best", "gpt-4o");
    ModelAlias ofTenant = alias(tenant, "gpt-best", "claude-x");
    ModelAlias ofOther = alias(tenantId(), "gpt-best", "local-llama");
    store().putAlias(platform);
    store().putAlias(ofTenant);
    store().putAlias(ofOther);

    assertThat(store().listAliases()).containsExactlyInAnyOrder(platform, ofTenant, ofOther);
    assertThat(store().listAliases().get(0)).isEqualTo(platform);

    // Deleting one owner's alias leaves the others'.
    assertThat(store().deleteAlias(null, "gpt-best")).isTrue();
    assertThat(store().listAliases()).containsExactlyInAnyOrder(ofTenant, ofOther);
    assertThat(store().deleteAlias(tenant, "gpt-best")).isTrue();
    assertThat(store().listAliases()).containsExactly(ofOther);
  }

  @Test
  void aDeletedAliasIsGone() {
    TenantId tenant = tenantId();
    store().putAlias(alias(tenant, "fast", "model-a"));
    ModelAlias kept = alias(tenant, "smart", "model-b");
    store().putAlias(kept);

    assertThat(store().deleteAlias(tenant, "fast")).isTrue();

    assertThat(store().listAliases()).containsExactly(kept);
    assertThat(store().deleteAlias(tenant, "fast")).isFalse();
    assertThat(store().deleteAlias(null, "smart")).isFalse();
    assertThat(store().deleteAlias(tenantId(), "smart")).isFalse();
    assertThat(store().listAliases()).containsExactly(kept);
  }

  @Test
  void aliasesAreListedPlatformFirstThenByTenantThenAlias() {
    List<TenantId> tenants = List.of(tenantId(), tenantId(), tenantId());
    List<String> names = List.of("a-fast", "b-smart", "c-cheap", "c-cheap-2");
    List<ModelAlias> aliases = new ArrayList<>();
    for (String name : names) {
      aliases.add(alias(null, name, "model-p"));
      for (TenantId tenant : tenants) {
        aliases.add(alias(tenant, name, "model-t"));
      }
    }
    List<ModelAlias> shuffled = new ArrayList<>(aliases);
    Collections.shuffle(shuffled, new Random(11));
    shuffled.forEach(store()::putAlias);
    List<ModelAlias> expected = aliases.stream()
        .sorted(Comparator.comparing((ModelAlias a) -> owner(a.tenantId())).thenComparing(ModelAlias::alias))
        .toList();

    assertThat(store().listAliases()).containsExactlyElementsOf(expected);
  }

  // ---- helpers

  private ChannelStore store() {
    return storage().channels();
  }

  private ChannelRecord stored(TenantId tenant, String name) {
    ChannelRecord record = record(tenant, name);
    store().insertChannel(record);
    return record;
  }

  /** A channel with typical settings and a credential; platform channels are limited to no groups. */
  private static ChannelRecord record(TenantId tenant, String name) {
    return new ChannelRecord(channel(tenant, name, ChannelStatus.ENABLED, 0, List.of("gpt-4o", "gpt-4o-mini"),
        Map.of("gpt-4o", "gpt-4o-2024-08-06")), "sealed:" + randomId(""));
  }

  private static Channel channel(TenantId tenant, String name, ChannelStatus status, long version,
      List<String> models, Map<String, String> mapping) {
    Instant at = nextInstant();
    return new Channel(channelId(), tenant, name, ChannelType.OPENAI, "https://api.openai.com", models, mapping,
        10, 100, tenant == null ? List.of() : List.of(groupId()), 60, 8, 5_000, 60_000,
        Map.of("organization", "org-1"), status, null, "…1234", version, at, at);
  }

  /** The channel renamed at a new version, changed now. */
  private static ChannelRecord renamed(ChannelRecord record, String name, long version) {
    Channel c = record.channel();
    return new ChannelRecord(new Channel(c.id(), c.tenantId(), name, c.type(), c.baseUrl(), c.models(),
        c.modelMapping(), c.priority(), c.weight(), c.groups(), c.requestsPerMinute(), c.maxConcurrency(),
        c.connectTimeoutMillis(), c.readTimeoutMillis(), c.options(), c.status(), c.statusReason(),
        c.credentialHint(), version, c.createdAt(), nextInstant()), record.sealedCredential());
  }

  private static Channel withStatus(Channel c, ChannelStatus status, String reason, long version, Instant updatedAt) {
    return new Channel(c.id(), c.tenantId(), c.name(), c.type(), c.baseUrl(), c.models(), c.modelMapping(),
        c.priority(), c.weight(), c.groups(), c.requestsPerMinute(), c.maxConcurrency(), c.connectTimeoutMillis(),
        c.readTimeoutMillis(), c.options(), status, reason, c.credentialHint(), version, c.createdAt(), updatedAt);
  }

  private static ModelAlias alias(TenantId tenant, String alias, String model) {
    return new ModelAlias(tenant, alias, model, nextInstant());
  }

  /** The owner's sort key: the platform ("") before every tenant. */
  private static String owner(TenantId tenant) {
    return tenant == null ? "" : tenant.value();
  }

  private static ChannelId channelId() {
    return new ChannelId(randomId(ChannelId.PREFIX));
  }

  private static TenantId tenantId() {
    return new TenantId(randomId(TenantId.PREFIX));
  }

  private static GroupId groupId() {
    return new GroupId(randomId(GroupId.PREFIX));
  }
}
