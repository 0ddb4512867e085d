/**
 * An upstream transport on Netty event loops: {@link com.neurasea.upstream.netty.NettyUpstreamTransport},
 * or, when the host asks for discovery, the {@code netty} {@link com.neurasea.spi.UpstreamTransportProvider}.
 * A request sent from one of the transport's event loops stays on that loop from end to end.
 */
package com.neurasea.upstream.netty;
