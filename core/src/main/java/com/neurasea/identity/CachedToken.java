package com.neurasea.identity;

import com.neurasea.model.ApiToken;
import com.neurasea.model.Principal;
import java.util.List;

/** A verified token as cached: its principal, parsed allow-list and the counters it was loaded under. */
final class CachedToken {
  final ApiToken token;
  final Principal principal;
  final List<AddressRange> allowedAddresses;
  final long expiresAtMillis;
  final long globalGeneration;
  final long tenantGeneration;
  /** Last time a use was queued for recording; races only cost an extra write. */
  volatile long lastRecordedMillis;

  CachedToken(ApiToken token, List<AddressRange> allowedAddresses, long globalGeneration, long tenantGeneration) {
    this.token = token;
    this.principal = Principal.token(token.userId(), token.id(), token.tenantId());
    this.allowedAddresses = allowedAddresses;
    this.expiresAtMillis = token.expiresAt() == null ? Long.MAX_VALUE : token.expiresAt().toEpochMilli();
    this.globalGeneration = globalGeneration;
    this.tenantGeneration = tenantGeneration;
    this.lastRecordedMillis = token.lastUsedAt() == null ? 0 : token.lastUsedAt().toEpochMilli();
  }

  boolean allows(String clientIp) {
    if (allowedAddresses.isEmpty()) {
      return true;
    }
    for (AddressRange range : allowedAddresses) {
      if (range.contains(clientIp)) {
        return true;
      }
    }
    return false;
  }
}
