package com.neurasea.model;

/**
 * Which slice of a listing to return, ordered by creation.
 *
 * @param offset how many items to skip, 0 or more
 * @param limit how many items at most, 1 to {@value #MAX_LIMIT}
 */
public record PageRequest(int offset, int limit) {
  /** The largest page. */
  public static final int MAX_LIMIT = 1000;

  /** Validates the bounds. */
  public PageRequest {
    if (offset < 0) {
      throw NeuraSeaException.invalid("offset", "must be 0 or more");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw NeuraSeaException.invalid("limit", "must be between 1 and " + MAX_LIMIT);
    }
  }

  /** The first {@code limit} items. */
  public static PageRequest first(int limit) {
    return new PageRequest(0, limit);
  }

  /** The first 100 items. */
  public static PageRequest firstPage() {
    return new PageRequest(0, 100);
  }
}
