package com.neurasea;

import com.neurasea.tck.FreshStorage;

/** The storage backends every core service test runs on. */
public final class Backends {
  private Backends() {}

  /** A fresh-storage extension for a backend named {@code sqlite} or {@code postgres}. */
  public static FreshStorage fresh(String backend) {
    return switch (backend) {
      case "sqlite" -> FreshStorage.sqlite();
      case "postgres" -> FreshStorage.postgres();
      default -> throw new IllegalArgumentException("unknown backend " + backend);
    };
  }
}
