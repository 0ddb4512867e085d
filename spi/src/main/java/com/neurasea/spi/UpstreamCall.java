package com.neurasea.spi;

/** A request in flight to an upstream. */
public interface UpstreamCall {
  /** Abandons the request and closes its stream; idempotent, safe from any thread. */
  void cancel();
}
