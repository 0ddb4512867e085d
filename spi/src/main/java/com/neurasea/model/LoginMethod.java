package com.neurasea.model;

/** How a user signs in. */
public enum LoginMethod {
  /** A local password checked by the built-in identity provider. */
  PASSWORD,
  /** An external OpenID Connect provider. */
  OIDC,
  /** An external LDAP directory. */
  LDAP,
  /** No interactive sign-in: the account acts through API tokens only. */
  TOKEN_ONLY
}
