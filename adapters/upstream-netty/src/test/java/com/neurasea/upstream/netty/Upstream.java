package com.neurasea.upstream.netty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 upstream on a plain {@link ServerSocket} (or a TLS one), for exact control of
 * what is written when, to count connections, and to see when the client closes one. Each accepted
 * connection runs the script on its own thread.
 */
final class Upstream implements AutoCloseable {
  /** What the server does with one connection. */
  interface Script {
    void run(Socket socket, InputStream in, OutputStream out) throws Exception;
  }

  static final String STREAM_HEAD =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

  private final ServerSocket socket;
  private final String scheme;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-upstream");
    t.setDaemon(true);
    return t;
  });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  final AtomicInteger accepted = new AtomicInteger();

  Upstream(Script script) throws IOException {
    this(new ServerSocket(0, 200, InetAddress.getLoopbackAddress()), "http", script);
  }

  Upstream(ServerSocket socket, String scheme, Script script) {
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
            script.run(s, s.getInputStream(), s.getOutputStream());
          } catch (Exception e) {
            // the client went away, or the test ended
          } finally {
            open.remove(s);
          }
        });
      }
    });
  }

  int port() {
    return socket.getLocalPort();
  }

  URI uri(String path) {
    return URI.create(scheme + "://127.0.0.1:" + port() + path);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : open) {
      s.close();
    }
    threads.shutdownNow();
  }

  /** Reads one request (head and Content-Length body); returns the head, or null at end of stream. */
  static String readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    while (last4 != 0x0d0a0d0a) {
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
    return text + new String(body, StandardCharsets.UTF_8);
  }

  /** Blocks until the client closes the connection. */
  static void awaitClose(InputStream in) throws IOException {
    while (in.read() >= 0) {
      // discard
    }
  }

  static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  static String chunk(String data) {
    return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + data + "\r\n";
  }

  static String ok(String body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
  }
}
