package com.neurasea.privacy;

import java.util.Locale;

/** The kinds of term a {@link Taxonomy} holds. */
public enum TermKind {
  /** The controller that determines purposes and means (one per taxonomy). */
  CONTROLLER,
  /** A category of personal information, such as {@code user.contact.email}. */
  CATEGORY,
  /** A purpose of processing. */
  PURPOSE,
  /** A legal basis (GDPR Art. 6, PIPL Art. 13). */
  BASIS,
  /** A kind of third-party recipient. */
  RECIPIENT,
  /** A ground on which information may be disclosed. */
  GROUND,
  /** A technical or organizational security measure. */
  MEASURE;

  /** The word that names this kind in the taxonomy text format. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
