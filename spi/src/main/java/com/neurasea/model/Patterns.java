package com.neurasea.model;

/** Regular expressions shared by command validation annotations. */
public final class Patterns {
  /** A tenant slug: lowercase letters, digits and dashes, 3 to 63 characters. */
  public static final String SLUG = "[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]";
  /** A username: letters, digits, '.', '_' and '-', 3 to 64 characters, starting with a letter or digit. */
  public static final String USERNAME = "[A-Za-z0-9][A-Za-z0-9._-]{2,63}";
  /** A phone number in E.164 form. */
  public static final String E164_PHONE = "\\+[1-9][0-9]{6,14}";
  /** A role name: lowercase letters, digits, '.', '_' and '-', 2 to 64 characters. */
  public static final String ROLE_NAME = "[a-z0-9][a-z0-9._-]{1,63}";
  /** An IPv4 or IPv6 address, optionally with a CIDR prefix length. */
  public static final String IP_OR_CIDR = "([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)(/[0-9]{1,3})?";
  /** A model name or pattern ending in '*'. */
  public static final String MODEL_PATTERN = "[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}\\*?|\\*";

  private Patterns() {}
}
