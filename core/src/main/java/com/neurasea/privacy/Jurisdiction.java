package com.neurasea.privacy;

/**
 * The data-protection law whose legal bases the platform's own records cite. Hosts choose it with
 * {@code NeuraSea.builder().privacyJurisdiction(...)}; records made by hosts name any basis of the
 * taxonomy directly.
 */
public enum Jurisdiction {
  /** The EU General Data Protection Regulation, Art. 6(1). */
  GDPR("gdpr.contract", "gdpr.legal_obligation", "gdpr.consent", "gdpr.legitimate_interests"),
  /**
   * The PRC Personal Information Protection Law, Art. 13. PIPL has no legitimate-interests basis;
   * security processing of an account cites the contract the account exists under.
   */
  PIPL("pipl.contract", "pipl.legal_duty", "pipl.consent", "pipl.contract");

  private final String contract;
  private final String legalObligation;
  private final String consent;
  private final String security;

  Jurisdiction(String contract, String legalObligation, String consent, String security) {
    this.contract = contract;
    this.legalObligation = legalObligation;
    this.consent = consent;
    this.security = security;
  }

  /** The basis for processing needed to provide the service the subject signed up for. */
  public String contract() {
    return contract;
  }

  /** The basis for processing the law requires (records of rights requests, retention duties). */
  public String legalObligation() {
    return legalObligation;
  }

  /** The basis for processing the subject consented to. */
  public String consent() {
    return consent;
  }

  /** The basis for security processing such as recording a sign-in's address. */
  public String security() {
    return security;
  }
}
