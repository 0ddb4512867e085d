package com.neurasea.tck.upstream;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One accepted HTTP/1.1 connection of {@link FakeUpstream}: a minimal request reader and response writer over a
 * raw socket, so that the fake can cut the connection mid-body and notice a client that went away.
 */
final class HttpConnection implements Closeable {
  private static final int MAX_LINE = 64 * 1024;
  private static final int MAX_BODY = 64 * 1024 * 1024;
  private static final byte[] CRLF = {'\r', '\n'};

  /** A request as read from the wire. */
  record RawRequest(String method, String target, String version, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name);
    }

    String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }

    String query() {
      int q = target.indexOf('?');
      return q < 0 ? "" : target.substring(q + 1);
    }

    boolean keepAlive() {
      String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
      if ("HTTP/1.0".equals(version)) {
        return false;
      }
      for (String token : connection.split(",")) {
        if (token.trim().equals("close")) {
          return false;
        }
      }
      return true;
    }
  }

  /** The request could not be read as HTTP. */
  static final class BadRequest extends IOException {
    BadRequest(String message) {
      super(message);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] buffer = new byte[16 * 1024];
  private int pos;
  private int limit;

  HttpConnection(Socket socket) throws IOException {
    this.socket = socket;
    socket.setTcpNoDelay(true);
    this.in = socket.getInputStream();
    this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
  }

  /** Reads the next request; null when the client closed the connection between requests. */
  RawRequest readRequest() throws IOException {
    String line;
    do {
      line = readLine(true);
      if (line == null) {
        return null;
      }
    } while (line.isEmpty());
    String[] parts = line.split(" ");
    if (parts.length != 3 || !parts[2].startsWith("HTTP/")) {
      throw new BadRequest("bad request line: " + line);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    while (true) {
      String header = readLine(false);
      if (header.isEmpty()) {
        break;
      }
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw new BadRequest("bad header line: " + header);
      }
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      headers.merge(name, value, (a, b) -> a + ", " + b);
    }
    if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
      out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }
    byte[] body;
    String transferEncoding = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
    if (transferEncoding.contains("chunked")) {
      body = readChunkedBody();
    } else if (headers.containsKey("content-length")) {
      long length;
      try {
        length = Long.parseLong(headers.get("content-length"));
      } catch (NumberFormatException e) {
        throw new BadRequest("bad content-length: " + headers.get("content-length"));
      }
      if (length < 0 || length > MAX_BODY) {
        throw new BadRequest("unsupported content-length: " + length);
      }
      body = new byte[(int) length];
      readFully(body, 0, body.length);
    } else {
      body = new byte[0];
    }
    return new RawRequest(parts[0], parts[1], parts[2], headers, body);
  }

  private byte[] readChunkedBody() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(false);
      int semicolon = sizeLine.indexOf(';');
      String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
      int size;
      try {
        size = Integer.parseInt(hex, 16);
      } catch (NumberFormatException e) {
        throw new BadRequest("bad chunk size: " + sizeLine);
      }
      if (size < 0 || body.size() + (long) size > MAX_BODY) {
        throw new BadRequest("unsupported chunk size: " + size);
      }
      if (size == 0) {
        while (!readLine(false).isEmpty()) {
          // trailers are ignored
        }
        return body.toByteArray();
      }
      byte[] chunk = new byte[size];
      readFully(chunk, 0, size);
      body.write(chunk);
      if (!readLine(false).isEmpty()) {
        throw new BadRequest("chunk not followed by CRLF");
      }
    }
  }

  private int fill() throws IOException {
    if (pos < limit) {
      return limit - pos;
    }
    pos = 0;
    limit = 0;
    int n = in.read(buffer);
    if (n > 0) {
      limit = n;
    }
    return n;
  }

  private int readByte() throws IOException {
    if (pos >= limit && fill() <= 0) {
      return -1;
    }
    return buffer[pos++] & 0xff;
  }

  private String readLine(boolean endOfStreamAllowed) throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int b = readByte();
      if (b < 0) {
        if (endOfStreamAllowed && line.length() == 0) {
          return null;
        }
        throw new EOFException("the connection closed in the middle of a request");
      }
      if (b == '\n') {
        break;
      }
      line.append((char) b);
      if (line.length() > MAX_LINE) {
        throw new BadRequest("line too long");
      }
    }
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\r') {
      line.setLength(end - 1);
    }
    return line.toString();
  }

  private void readFully(byte[] target, int offset, int length) throws IOException {
    int done = 0;
    while (done < length) {
      if (pos >= limit && fill() <= 0) {
        throw new EOFException("the connection closed in the middle of a request body");
      }
      int n = Math.min(length - done, limit - pos);
      System.arraycopy(buffer, pos, target, offset + done, n);
      pos += n;
      done += n;
    }
  }

  private void writeHead(int status, List<String[]> headers) throws IOException {
    StringBuilder head = new StringBuilder();
    head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    for (String[] header : headers) {
      head.append(header[0]).append(": ").append(header[1]).append("\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Writes a complete response with a {@code Content-Length}. */
  void sendFixed(int status, List<String[]> headers, byte[] body, boolean close) throws IOException {
    List<String[]> all = new ArrayList<>(headers);
    all.add(new String[] {"Content-Length", Integer.toString(body.length)});
    if (close) {
      all.add(new String[] {"Connection", "close"});
    }
    writeHead(status, all);
    out.write(body);
    out.flush();
  }

  /**
   * Writes the head (announcing the whole body's length) and the first {@code cutAt} bytes of the body, then cuts
   * the connection.
   */
  void sendTruncated(int status, List<String[]> headers, byte[] body, int cutAt) throws IOException {
    List<String[]> all = new ArrayList<>(headers);
    all.add(new String[] {"Content-Length", Integer.toString(body.length)});
    writeHead(status, all);
    out.write(body, 0, cutAt);
    out.flush();
    cut();
  }

  /** Writes a head for a chunked body. */
  void startChunked(int status, List<String[]> headers, boolean close) throws IOException {
    List<String[]> all = new ArrayList<>(headers);
    all.add(new String[] {"Transfer-Encoding", "chunked"});
    if (close) {
      all.add(new String[] {"Connection", "close"});
    }
    writeHead(status, all);
    out.flush();
  }

  /** Writes one chunk and flushes it to the client. */
  void writeChunk(byte[] data) throws IOException {
    if (data.length == 0) {
      return;
    }
    out.write(Integer.toHexString(data.length).getBytes(StandardCharsets.ISO_8859_1));
    out.write(CRLF);
    out.write(data);
    out.write(CRLF);
    out.flush();
  }

  /** Writes the terminating chunk. */
  void endChunked() throws IOException {
    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Cuts the TCP connection where it stands: whatever was written is sent, then the connection ends. */
  void cut() {
    try {
      out.flush();
    } catch (IOException ignored) {
      // the client is gone already
    }
    try {
      socket.shutdownOutput();
    } catch (IOException ignored) {
      // the client is gone already
    }
    close();
  }

  /**
   * Waits {@code time}, watching the connection; true as soon as the client closed it (or the fake closed the
   * socket), false when the time passed with the client still there.
   */
  boolean clientGoneWithin(Duration time) {
    long deadline = System.nanoTime() + time.toNanos();
    try {
      while (true) {
        long leftMillis = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
        if (leftMillis == 0) {
          return false;
        }
        if (pos < limit) {
          // the client sent more (a pipelined request): it is there; keep the bytes and wait out the time
          Thread.sleep(leftMillis);
          return false;
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMillis));
        try {
          if (fill() < 0) {
            return true;
          }
        } catch (SocketTimeoutException timedOut) {
          return false;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    } catch (IOException e) {
      return true;
    } finally {
      try {
        socket.setSoTimeout(0);
      } catch (IOException ignored) {
        // closed
      }
    }
  }

  /** Blocks until the client closes the connection or the socket is closed, discarding anything it sends. */
  void awaitClientGone() {
    try {
      socket.setSoTimeout(0);
      while (true) {
        pos = limit;
        if (fill() < 0) {
          return;
        }
      }
    } catch (IOException e) {
      // closed
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  private static String reason(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 400:
        return "Bad Request";
      case 401:
        return "Unauthorized";
      case 402:
        return "Payment Required";
      case 403:
        return "Forbidden";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 408:
        return "Request Timeout";
      case 409:
        return "Conflict";
      case 413:
        return "Payload Too Large";
      case 422:
        return "Unprocessable Entity";
      case 429:
        return "Too Many Requests";
      case 500:
        return "Internal Server Error";
      case 502:
        return "Bad Gateway";
      case 503:
        return "Service Unavailable";
      case 504:
        return "Gateway Timeout";
      default:
        return "Status " + status;
    }
  }
}
