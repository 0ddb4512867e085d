/**
 * The default upstream transport on the JDK's {@link java.net.http.HttpClient}: {@link
 * com.neurasea.upstream.jdk.JdkUpstreamTransport}, or, when the host asks for discovery, the {@code
 * jdk} {@link com.neurasea.spi.UpstreamTransportProvider}.
 */
package com.neurasea.upstream.jdk;
