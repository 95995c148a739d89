package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.actuator.http.ActionApi;
import dev.d2r2.core.actuator.http.ActionApi.Reply;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.actuator.http.WebhookCall;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.agent.ErrorLog;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The DN failure detector's actuator API, driven by the policy engine's webhook actuator: {@code
 * POST /actions} with {@code {"call":"deploy","op":"fence","target":"dn1",...}} and the bearer
 * token fences that DN; the revoke of the same action lifts the fence. Binds loopback unless
 * configured beyond.
 */
final class FenceApi implements AutoCloseable {
    static final String OP = "fence";
    private final ActionApi api;

    FenceApi(InetSocketAddress listen, BearerToken token, boolean beyondLoopback, AgentRunner detector, Predicate<String> watched)
            throws IOException {
        ErrorLog errors = new ErrorLog(LoggerFactory.getLogger(FenceApi.class), Clock.system(), 10_000);
        this.api = ActionApi.builder("the DN failure detector", listen, token, errors)
                .actions(call -> act(call, detector, watched))
                .beyondLoopback(beyondLoopback)
                .start();
    }

    private static Reply act(WebhookCall call, AgentRunner detector, Predicate<String> watched) {
        String op = call.action().op();
        String dn = call.action().target();
        if (!op.equals(OP)) {
            return Reply.error(422, "unknown op " + op + " (fence)");
        }
        if (!watched.test(dn)) {
            return Reply.error(404, "this detector does not watch " + dn);
        }
        if (!detector.offer(new FenceOrder(dn, call.deploy()))) {
            return Reply.error(503, "the detector is busy");
        }
        return new Reply(202, Map.of("op", op, "target", dn, "fenced", call.deploy()));
    }

    InetSocketAddress address() {
        return api.address();
    }

    @Override
    public void close() {
        api.close();
    }
}
