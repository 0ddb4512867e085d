package com.neurasea.routing;

/** Ends a request with an OpenAI-style error; thrown inside the gateway and answered by it. */
final class GatewayFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final transient OpenAiErrors.GatewayError error;

  GatewayFailure(OpenAiErrors.GatewayError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }
}
