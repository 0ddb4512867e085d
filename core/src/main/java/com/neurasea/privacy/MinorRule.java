package com.neurasea.privacy;

/**
 * How the platform treats an account flagged as a minor's (privacy policy section 8: the platform
 * does not serve minors, who should use it only with a guardian's consent).
 */
public enum MinorRule {
  /** A minor's account is disabled. */
  BLOCK,
  /** A minor's account waits (status PENDING) until a guardian's consent is recorded. */
  GUARDIAN_CONSENT
}
