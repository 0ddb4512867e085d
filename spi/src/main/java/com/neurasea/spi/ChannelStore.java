package com.neurasea.spi;

import com.neurasea.model.ChannelId;
import com.neurasea.model.ChannelStatus;
import com.neurasea.model.ModelAlias;
import com.neurasea.model.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Stores upstream channels and model aliases. Channels and aliases are few (hundreds) and read whole
 * by every gateway host, which caches them; writes are rare administrative changes.
 */
public interface ChannelStore {
  /**
   * Inserts a new channel.
   *
   * @throws com.neurasea.model.NeuraSeaException {@code CONFLICT} naming {@code name} when its owner
   *     (the tenant, or the platform) already has a channel of that name
   */
  void insertChannel(ChannelRecord record);

  /**
   * Replaces a channel's settings and credential if it is still at {@code expectedVersion}; the
   * record carries the new version.
   *
   * @return false when the channel is gone or at another version
   * @throws com.neurasea.model.NeuraSeaException {@code CONFLICT} naming {@code name} on a duplicate name
   */
  boolean updateChannel(ChannelRecord record, long expectedVersion);

  /**
   * Sets a channel's status and reason, increasing its version.
   *
   * @return false when the channel is gone
   */
  boolean setChannelStatus(ChannelId id, ChannelStatus status, String reason, Instant at);

  /** One channel. */
  Optional<ChannelRecord> findChannel(ChannelId id);

  /** Every channel of every owner, by owner then name. */
  List<ChannelRecord> listChannels();

  /**
   * Deletes a channel.
   *
   * @return false when it did not exist
   */
  boolean deleteChannel(ChannelId id);

  /** Deletes every channel and alias of a tenant (tenant deletion); returns the channels deleted. */
  int deleteChannelsOf(TenantId tenantId);

  /** Sets an alias, replacing the one of the same owner and name. */
  void putAlias(ModelAlias alias);

  /**
   * Deletes an alias.
   *
   * @param tenantId its owner, null for a platform-wide alias
   * @return false when it did not exist
   */
  boolean deleteAlias(TenantId tenantId, String alias);

  /** Every alias of every owner, platform-wide ones first, then by tenant and name. */
  List<ModelAlias> listAliases();
}
