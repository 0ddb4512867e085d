package com.neurasea.http;

import com.neurasea.NeuraSea;
import com.neurasea.routing.Gateway;
import com.neurasea.routing.GatewayCall;
import com.neurasea.routing.GatewayEndpoint;
import com.neurasea.routing.GatewayRequest;
import com.neurasea.routing.GatewayResponder;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The servlet binding of the OpenAI-compatible gateway ({@link Gateway}) under {@code /v1/*}:
 * {@code POST /v1/chat/completions}, {@code /v1/completions}, {@code /v1/embeddings} and
 * {@code GET /v1/models}. Requests run asynchronously: the servlet thread reads the body (refusing
 * one over {@link com.neurasea.routing.GatewaySettings#maxRequestBytes()} with 413) and returns; the
 * reply is written from the upstream transport's thread as it arrives. A failed write means the
 * client went away: the gateway cancels the upstream call and settles by its disconnect policy.
 *
 * <p>Servlet hosts (and Spring MVC through a {@code ServletRegistrationBean}) use this binding;
 * hosts that want the gateway's full speed use the event-loop binding.
 */
public final class GatewayServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  /** The URL pattern the servlet is registered under. */
  public static final String URL_PATTERN = "/v1/*";
  private final transient Gateway gateway;

  /** A servlet serving a platform's gateway. */
  public GatewayServlet(NeuraSea platform) {
    this.gateway = Objects.requireNonNull(platform, "platform").gateway();
  }

  /**
   * Registers the gateway under {@value #URL_PATTERN} in a servlet context.
   *
   * @throws IllegalStateException when the pattern is already mapped to another servlet
   */
  public static ServletRegistration.Dynamic register(ServletContext context, NeuraSea platform) {
    ServletRegistration.Dynamic registration = context.addServlet("neurasea-gateway", new GatewayServlet(platform));
    registration.setAsyncSupported(true);
    Set<String> conflicts = registration.addMapping(URL_PATTERN);
    if (!conflicts.isEmpty()) {
      throw new IllegalStateException("URL patterns already mapped to another servlet: " + conflicts);
    }
    return registration;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    String ip = Authenticator.clientIp(request);
    String agent = request.getHeader("User-Agent");
    String authorization = request.getHeader("Authorization");
    if (path.equals("/v1/models")) {
      if (!request.getMethod().equals("GET")) {
        gateway.reject(new Blocking(response), 405, "use GET for /v1/models");
        return;
      }
      gateway.models(authorization, ip, agent, new Blocking(response));
      return;
    }
    GatewayEndpoint endpoint = GatewayEndpoint.ofPath(path);
    if (endpoint == null) {
      gateway.reject(new Blocking(response), 404, "unknown URL " + path);
      return;
    }
    if (!request.getMethod().equals("POST")) {
      gateway.reject(new Blocking(response), 405, "use POST for " + path);
      return;
    }
    int limit = gateway.settings().maxRequestBytes();
    if (request.getContentLengthLong() > limit) {
      gateway.reject(new Blocking(response), 413, "too large");
      return;
    }
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes(limit + 1);
    }
    if (body.length > limit) {
      gateway.reject(new Blocking(response), 413, "too large");
      return;
    }
    AsyncContext async = request.startAsync();
    async.setTimeout(0);
    Async responder = new Async(async, response);
    GatewayCall call = gateway.handle(new GatewayRequest(endpoint, authorization, ip, agent, body), responder);
    responder.attach(call);
  }

  private static void head(HttpServletResponse response, int status, Map<String, String> headers, String type) {
    response.setStatus(status);
    response.setContentType(type);
    headers.forEach(response::setHeader);
  }

  /** Writes on the servlet thread (answers made before the request goes asynchronous). */
  private static final class Blocking implements GatewayResponder {
    private final HttpServletResponse response;

    Blocking(HttpServletResponse response) {
      this.response = response;
    }

    @Override
    public void sendFull(int status, Map<String, String> headers, byte[] body) {
      head(response, status, headers, "application/json");
      response.setContentLength(body.length);
      try {
        response.getOutputStream().write(body);
      } catch (IOException e) {
        // The client went away; nothing was started for it.
      }
    }

    @Override
    public void startStream(Map<String, String> headers) {
      throw new IllegalStateException("not a stream");
    }

    @Override
    public void sendEvent(byte[] bytes) {
      throw new IllegalStateException("not a stream");
    }

    @Override
    public void endStream() {
      throw new IllegalStateException("not a stream");
    }
  }

  /** Writes an asynchronous request's answer from whichever thread the gateway calls on. */
  private static final class Async implements GatewayResponder {
    private final AsyncContext async;
    private final HttpServletResponse response;
    private final AtomicReference<GatewayCall> call = new AtomicReference<>();
    private final AtomicBoolean gone = new AtomicBoolean();
    private final AtomicBoolean completed = new AtomicBoolean();

    Async(AsyncContext async, HttpServletResponse response) {
      this.async = async;
      this.response = response;
    }

    void attach(GatewayCall gatewayCall) {
      call.set(gatewayCall);
      if (gone.get()) {
        gatewayCall.cancel();
      }
    }

    @Override
    public void sendFull(int status, Map<String, String> headers, byte[] body) {
      try {
        head(response, status, headers, "application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
      } catch (IOException | RuntimeException e) {
        clientGone();
      } finally {
        complete();
      }
    }

    @Override
    public void startStream(Map<String, String> headers) {
      try {
        head(response, 200, headers, "text/event-stream");
        response.setHeader("Cache-Control", "no-cache");
        response.flushBuffer();
      } catch (IOException | RuntimeException e) {
        clientGone();
      }
    }

    @Override
    public void sendEvent(byte[] bytes) {
      if (gone.get()) {
        return;
      }
      try {
        ServletOutputStream out = response.getOutputStream();
        out.write(bytes);
        out.flush();
      } catch (IOException | RuntimeException e) {
        clientGone();
      }
    }

    @Override
    public void endStream() {
      complete();
    }

    private void clientGone() {
      if (gone.compareAndSet(false, true)) {
        GatewayCall c = call.get();
        if (c != null) {
          c.cancel();
        }
        complete();
      }
    }

    private void complete() {
      if (completed.compareAndSet(false, true)) {
        try {
          async.complete();
        } catch (RuntimeException e) {
          // Already completed by the container after an error.
        }
      }
    }
  }
}
