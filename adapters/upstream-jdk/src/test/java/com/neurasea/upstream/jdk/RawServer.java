package com.neurasea.upstream.jdk;

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
 * A loopback HTTP/1.1 server on a plain {@link ServerSocket}, for exact control of what is written
 * when, and to see when the client closes a connection. Each accepted connection runs the script on
 * its own thread.
 */
final class RawServer implements AutoCloseable {
  /** What the server does with one connection. */
  interface Script {
    void run(InputStream in, OutputStream out) throws Exception;
  }

  private final ServerSocket socket;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "raw-server");
    t.setDaemon(true);
    return t;
  });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  final AtomicInteger accepted = new AtomicInteger();

  RawServer(Script script) throws IOException {
    socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
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
            script.run(s.getInputStream(), s.getOutputStream());
          } catch (Exception e) {
            // the client went away, or the test ended
          } finally {
            open.remove(s);
          }
        });
      }
    });
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort() + path);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : open) {
      s.close();
    }
    threads.shutdownNow();
  }

  /** Reads one request (head and a Content-Length body); returns its head, or null at end of stream. */
  static String readRequest(InputStream in) throws IOException {
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
    long length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Long.parseLong(line.substring("content-length:".length()).trim());
      }
    }
    for (long i = 0; i < length; i++) {
      if (in.read() < 0) {
        return null;
      }
    }
    return text;
  }

  /** Blocks until the client closes the connection (or the test's server closes). */
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

  static final String STREAM_HEAD =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
}
