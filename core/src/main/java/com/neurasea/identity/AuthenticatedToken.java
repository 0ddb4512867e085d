package com.neurasea.identity;

import com.neurasea.model.ApiToken;
import com.neurasea.model.Permissions;
import com.neurasea.model.Principal;

/**
 * A verified API token: the principal it acts as and its metadata.
 *
 * @param principal the token's principal
 * @param token the token's metadata (never the secret)
 */
public record AuthenticatedToken(Principal principal, ApiToken token) {
  /** Whether the token's own model allow-list admits a model (an empty list admits every model). */
  public boolean allowsModel(String model) {
    var patterns = token.modelAllowList();
    if (patterns.isEmpty()) {
      return true;
    }
    for (String pattern : patterns) {
      if (Permissions.matches(pattern, model)) {
        return true;
      }
    }
    return false;
  }
}
