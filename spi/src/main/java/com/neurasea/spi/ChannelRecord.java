package com.neurasea.spi;

import com.neurasea.model.Channel;
import java.util.Objects;

/**
 * A channel as stored: its settings and its credential sealed by the core (AES-GCM; the store never
 * sees the plain key).
 *
 * @param channel the channel
 * @param sealedCredential the sealed credential, or null when the channel has none
 */
public record ChannelRecord(Channel channel, String sealedCredential) {
  /** Checks the channel is present. */
  public ChannelRecord {
    Objects.requireNonNull(channel, "channel");
  }

  @Override
  public String toString() {
    return "ChannelRecord[" + channel.id() + ", sealedCredential=" + (sealedCredential == null ? "none" : "<sealed>")
        + "]";
  }
}
