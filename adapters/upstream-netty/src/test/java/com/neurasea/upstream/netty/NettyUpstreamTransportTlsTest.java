package com.neurasea.upstream.netty;

import static com.neurasea.tck.upstream.RawServer.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.neurasea.spi.UpstreamRequest;
import com.neurasea.tck.upstream.RawServer;
import com.neurasea.tck.upstream.RecordingHandler;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS against a JDK {@link SSLServerSocket} with a self-signed certificate made by the JDK's keytool
 * (no BouncyCastle needed).
 */
class NettyUpstreamTransportTlsTest {
  private static final char[] PASSWORD = "changeit".toCharArray();

  @TempDir
  static Path dir;
  private static KeyStore keyStore;
  private static RawServer server;
  private static final List<String> serverNames = new CopyOnWriteArrayList<>();
  private static final List<String> protocols = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServer() throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    assumeTrue(Files.isExecutable(keytool), "the JDK's keytool is needed to make a test certificate");
    Path file = dir.resolve("upstream.p12");
    Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "upstream", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", "changeit",
        "-keypass", "changeit").redirectErrorStream(true).start();
    process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    assumeTrue(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0, "keytool failed");
    keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(file.toFile())) {
      keyStore.load(in, PASSWORD);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore, PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getByName("localhost"));
    server = new RawServer(socket, "https", c -> {
      SSLSocket tls = (SSLSocket) c.socket();
      tls.startHandshake();
      ((ExtendedSSLSession) tls.getSession()).getRequestedServerNames()
          .forEach(name -> serverNames.add(((SNIHostName) name).getAsciiName()));
      protocols.add(String.valueOf(tls.getApplicationProtocol()));
      while (c.readRequest() != null) {
        c.write(ok("secret"));
      }
    });
  }

  private static UpstreamRequest get(URI uri) {
    return new UpstreamRequest("GET", uri, Map.of(), null, 2_000, 5_000);
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void talksHttp11OverTlsWithSniAndReusesTheConnection() throws Exception {
    SslContext trusting = SslContextBuilder.forClient()
        .sslProvider(SslProvider.JDK)
        .endpointIdentificationAlgorithm("HTTPS")
        .trustManager((X509Certificate) keyStore.getCertificate("upstream"))
        .build();
    int acceptedBefore = server.accepted();
    serverNames.clear();
    protocols.clear();
    try (NettyUpstreamTransport transport = NettyUpstreamTransport.create(
        NettyUpstreamTransport.Options.DEFAULT.withEventLoopThreads(1).withSslContext(trusting))) {
      URI uri = URI.create("https://localhost:" + server.port() + "/v1/models");
      EventLoop loop = transport.eventLoopGroup().next();
      for (int i = 0; i < 2; i++) {
        RecordingHandler handler = new RecordingHandler();
        loop.execute(() -> transport.send(get(uri), handler));
        assertThat(handler.awaitTerminal()).isTrue();
        assertThat(handler.error()).isNull();
        assertThat(handler.status()).isEqualTo(200);
        assertThat(handler.body()).isEqualTo("secret");
      }
    }
    assertThat(server.accepted() - acceptedBefore).as("connections").isEqualTo(1);
    assertThat(serverNames).containsExactly("localhost");
    assertThat(protocols).containsExactly(""); // no ALPN offered: HTTP/1.1
  }

  @Test
  void refusesAnUntrustedCertificate() throws Exception {
    try (NettyUpstreamTransport transport = NettyUpstreamTransport.create(
        NettyUpstreamTransport.Options.DEFAULT.withEventLoopThreads(1))) {
      RecordingHandler handler = new RecordingHandler();

      transport.send(get(URI.create("https://localhost:" + server.port() + "/v1/models")), handler);

      assertThat(handler.awaitTerminal()).isTrue();
      assertThat(handler.error()).isInstanceOf(SSLException.class);
      assertThat(handler.events()).containsExactly("error");
    }
  }
}
