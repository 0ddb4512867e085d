package com.neurasea.spi;

import com.neurasea.model.Principal;
import java.util.Optional;

/**
 * Turns credentials into an authenticated principal. The platform asks each configured provider in
 * turn; the first that recognizes the credentials decides.
 */
public interface IdentityProvider {
  /** The provider's name, e.g. {@code local}, {@code ldap}. */
  String name();

  /**
   * Authenticates.
   *
   * @param credentials what the client presented
   * @return the principal; empty when this provider does not handle this kind of credentials
   * @throws com.neurasea.model.NeuraSeaException with code {@code UNAUTHENTICATED} when it handles
   *     them and they are wrong, and {@code FAILED_PRECONDITION} when the account may not sign in
   */
  Optional<Principal> authenticate(Credentials credentials);
}
