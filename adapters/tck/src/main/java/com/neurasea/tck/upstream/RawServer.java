package com.neurasea.tck.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 server on a plain {@link ServerSocket} (or a TLS one) for transport tests: the
 * test's script decides byte by byte what is written when, so it can stream chunks, stall, cut the
 * connection mid-body or wait to see the client close it; the server counts the connections it
 * accepted. Each accepted connection runs the script on its own daemon thread.
 *
 * <pre>{@code
 * try (RawServer server = new RawServer(c -> {
 *   c.readRequest();
 *   c.write(RawServer.STREAM_HEAD + RawServer.chunk("data: one\n\n"));
 *   c.awaitClose();                       // stalls until the client goes away
 * })) {
 *   transport.send(new UpstreamRequest("GET", server.uri("/stream"), ...), handler);
 * }
 * }</pre>
 */
public final class RawServer implements AutoCloseable {
  /** What the server does with one accepted connection. */
  @FunctionalInterface
  public interface Script {
    /**
     * Serves one connection; the connection is closed when this returns or throws.
     *
     * @param connection the accepted connection
     * @throws Exception anything: the connection is then closed
     */
    void run(Connection connection) throws Exception;
  }

  /** The head of a 200 response with a chunked {@code text/event-stream} body; write chunks after it. */
  public static final String STREAM_HEAD =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  /** The chunk that ends a chunked body. */
  public static final String LAST_CHUNK = "0\r\n\r\n";

  private final ServerSocket socket;
  private final String scheme;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "raw-upstream");
    t.setDaemon(true);
    return t;
  });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();

  /**
   * Starts a plain HTTP server on {@code 127.0.0.1} and a free port.
   *
   * @param script what to do with each connection
   * @throws IOException if no port could be bound
   */
  public RawServer(Script script) throws IOException {
    this(new ServerSocket(0, 200, InetAddress.getLoopbackAddress()), "http", script);
  }

  /**
   * Starts serving on a bound server socket, such as a TLS one.
   *
   * @param socket the bound socket, closed with the server
   * @param scheme the scheme of {@link #uri(String)}: {@code http} or {@code https}
   * @param script what to do with each connection
   */
  public RawServer(ServerSocket socket, String scheme, Script script) {
    this.socket = socket;
    this.scheme = scheme;
    threads.execute(() -> {
      while (!socket.isClosed()) {
        Socket s;
        try {
          s = socket.accept();
        } catch (IOException e) {
          return;
        }
        accepted.incrementAndGet();
        open.add(s);
        threads.execute(() -> {
          try (s) {
            script.run(new Connection(s));
          } catch (Exception e) {
            // the client went away, or the test ended
          } finally {
            open.remove(s);
          }
        });
      }
    });
  }

  /** The number of connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** The port the server listens on. */
  public int port() {
    return socket.getLocalPort();
  }

  /**
   * A URI on this server.
   *
   * @param pathAndQuery such as {@code /v1/models?x=1}
   * @return {@code http://127.0.0.1:port} (or {@code https://}, and the address the socket is bound to)
   *     followed by the path
   */
  public URI uri(String pathAndQuery) {
    InetAddress address = socket.getInetAddress();
    String host = address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
    return URI.create(scheme + "://" + host + ":" + port() + pathAndQuery);
  }

  /** Stops accepting and closes every open connection. */
  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : open) {
      s.close();
    }
    threads.shutdownNow();
  }

  /**
   * A chunk of a chunked body.
   *
   * @param data the chunk's text (UTF-8)
   * @return its size line, the data and CR LF
   */
  public static String chunk(String data) {
    return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + data + "\r\n";
  }

  /**
   * A whole {@code 200 OK} plain-text response with a {@code Content-Length}.
   *
   * @param body its body (UTF-8)
   * @return the response
   */
  public static String ok(String body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
  }

  /** One accepted connection, as a script sees it. */
  public static final class Connection {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    /** The socket (an {@code SSLSocket} on a TLS server). */
    public Socket socket() {
      return socket;
    }

    /**
     * Reads one request: its head and a {@code Content-Length} body.
     *
     * @return the request, or null if the client closed the connection first
     * @throws IOException if reading fails
     */
    public Request readRequest() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int last4 = 0;
      while (last4 != 0x0d0a0d0a) { // CR LF CR LF
        int b = in.read();
        if (b < 0) {
          return null;
        }
        head.write(b);
        last4 = (last4 << 8) | b;
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      int length = 0;
      for (String line : text.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring("content-length:".length()).trim());
        }
      }
      byte[] body = in.readNBytes(length);
      if (body.length < length) {
        return null;
      }
      return new Request(text, new String(body, StandardCharsets.UTF_8));
    }

    /**
     * Writes text (UTF-8) and flushes it.
     *
     * @param text what to write
     * @throws IOException if the client went away
     */
    public void write(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /**
     * Stalls: reads and discards until the client closes the connection.
     *
     * @throws IOException if the connection fails otherwise
     */
    public void awaitClose() throws IOException {
      while (in.read() >= 0) {
        // discard
      }
    }

    /**
     * Cuts the connection with a TCP reset (no orderly close), as a crashed upstream would.
     *
     * @throws IOException if the socket cannot be closed
     */
    public void reset() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }
  }

  /**
   * One request as it arrived.
   *
   * @param head the request line and headers, ending with an empty line (ISO-8859-1)
   * @param body the body (UTF-8), empty for none
   */
  public record Request(String head, String body) {
    /** The request line, such as {@code POST /v1/chat/completions HTTP/1.1}. */
    public String requestLine() {
      return head.substring(0, head.indexOf("\r\n"));
    }

    /**
     * The values of a header, in order.
     *
     * @param name its name, in any case
     * @return the values, empty if the header did not come
     */
    public List<String> header(String name) {
      List<String> values = new ArrayList<>();
      String[] lines = head.split("\r\n");
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase(name)) {
          values.add(lines[i].substring(colon + 1).trim());
        }
      }
      return values;
    }

    /** The names of the headers that came, in lower case and in order. */
    public List<String> headerNames() {
      List<String> names = new ArrayList<>();
      String[] lines = head.split("\r\n");
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          names.add(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT));
        }
      }
      return names;
    }
  }
}
