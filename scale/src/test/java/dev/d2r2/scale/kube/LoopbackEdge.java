package dev.d2r2.scale.kube;

import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.scale.EdgeClient;
import dev.d2r2.sip.edge.ApiLimits;
import dev.d2r2.sip.edge.EdgeApi;
import dev.d2r2.sip.edge.EdgeProxy;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;

/**
 * A real SIP edge with its HTTP API on loopback, for a scaler to drive: started at the first
 * {@link #client()} of a test, so that it outlives the scalers the test restarts, and closed after
 * the test ({@code @RegisterExtension final LoopbackEdge edge = new LoopbackEdge(TOKEN);}).
 */
final class LoopbackEdge implements AfterEachCallback {
    private final String token;
    private EdgeProxy edge;
    private EdgeApi api;

    LoopbackEdge(String token) {
        this.token = token;
    }

    EdgeClient client() throws Exception {
        if (edge == null) {
            edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(), e -> { });
            api = new EdgeApi(new InetSocketAddress("127.0.0.1", 0), edge, BearerToken.of(token), ApiLimits.DEFAULT);
        }
        return new EdgeClient(URI.create("http://127.0.0.1:" + api.address().getPort()), token);
    }

    /** Where the edge takes SIP, once {@link #client()} started it. */
    InetSocketAddress sip() throws Exception {
        return edge.address();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (api != null) {
            api.close();
        }
        if (edge != null) {
            edge.close();
        }
    }
}
