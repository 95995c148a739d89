package dev.d2r2.overlay.route;

import dev.d2r2.core.Clock;
import dev.d2r2.core.actuator.http.ActionApi;
import dev.d2r2.core.actuator.http.ActionApi.Reply;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.actuator.http.WebhookCall;
import dev.d2r2.core.agent.ErrorLog;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The route agent's actuator API, driven by the policy engine's webhook actuator as the scaler's
 * and the SIP edge's are: {@code POST /actions} with the bearer token of the API's token file and
 * {@code {"call":"deploy","op":"reroute","target":"<destination host:port>",...}} starts a reroute
 * (a relay search while the direct path is down), {@code "call":"revoke"} withdraws it. Only an
 * agent run with {@link RouteAgent.Remediation#POLICY} takes orders. Binds loopback only.
 */
public final class RouteApi implements AutoCloseable {
    public static final String OP_REROUTE = "reroute";

    private final ActionApi api;
    private final RouteAgent agent;
    private final String destination;

    public RouteApi(InetSocketAddress listen, BearerToken token, RouteAgent agent) throws IOException {
        if (agent.destination() == null) {
            throw new IOException("the route agent's API needs an agent with a destination to reroute");
        }
        this.agent = agent;
        this.destination = agent.destination().getAddress().getHostAddress() + ":" + agent.destination().getPort();
        ErrorLog errors = new ErrorLog(LoggerFactory.getLogger(RouteApi.class), Clock.system(), 10_000);
        this.api = ActionApi.builder("the route agent", listen, token, errors).actions(this::act).start();
    }

    public InetSocketAddress address() {
        return api.address();
    }

    private Reply act(WebhookCall call) throws Exception {
        String op = call.action().op();
        if (!op.equals(OP_REROUTE)) {
            return Reply.error(422, "unknown op " + op + " (reroute)");
        }
        if (!call.action().target().equals(destination)) {
            return Reply.error(404, "this agent reroutes to " + destination + " only");
        }
        boolean taken = (call.deploy() ? agent.reroute() : agent.withdraw()).get(5, TimeUnit.SECONDS);
        if (!taken) {
            return Reply.error(409, "this agent reroutes on its own (--reroute autonomous)");
        }
        return Reply.ok(Map.of("op", OP_REROUTE, "target", destination, "rerouting", call.deploy()));
    }

    @Override
    public void close() {
        api.close();
    }
}
