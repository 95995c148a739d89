package dev.d2r2.scale;

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

/**
 * The scaler's actuator API, the way the SIP edge's is driven: the policy engine's webhook
 * actuator POSTs its calls to {@code /actions} ({@code {"call":"deploy","op":"scale-out",
 * "target":"sip",...}}, or {@code "op":"replace","target":"HOST:PORT"} for one instance, or
 * {@code "op":"forbid-clone","target":"CLOUD"} for a policy prohibition, lifted by its revoke)
 * with the bearer token of the API's token file; {@code GET /instances}
 * lists the instances and their states. Binds loopback only.
 */
public final class ScalerApi implements AutoCloseable {
    private final ActionApi api;
    private final Scaling role;

    public ScalerApi(InetSocketAddress listen, BearerToken token, Scaling role) throws IOException {
        this.role = role;
        ErrorLog errors = new ErrorLog(LoggerFactory.getLogger(ScalerApi.class), Clock.system(), 10_000);
        this.api = ActionApi.builder("the scaler", listen, token, errors)
                .actions(this::act)
                .get("/instances", () -> Reply.ok(role.instances()))
                .start();
    }

    public InetSocketAddress address() {
        return api.address();
    }

    private Reply act(WebhookCall call) {
        if (call.action().op().equals(CloneBan.OP)) {
            return ban(call);
        }
        if (!call.deploy()) {
            // a scale-out or scale-in done stays done: capacity follows the load, not the context's end
            return new Reply(204, null);
        }
        String op = call.action().op();
        String type = call.action().target();
        if (op.equals(ReplaceRequest.OP)) {
            return replace(type, call.action().id());
        }
        if (!op.equals(ScaleRequest.OUT) && !op.equals(ScaleRequest.IN)) {
            return Reply.error(422, "unknown op " + op + " (scale-out, scale-in, replace or forbid-clone)");
        }
        if (!role.knows(type)) {
            return Reply.error(404, "unknown instance type " + type);
        }
        if (!role.submit(new ScaleRequest(op, type, call.action().id()))) {
            return Reply.error(503, "the scaler is busy");
        }
        return new Reply(202, Map.of("op", op, "target", type));
    }

    private Reply replace(String address, String step) {
        if (!role.serves(address)) {
            return Reply.error(404, "no instance serves at " + address);
        }
        if (!role.submit(new ReplaceRequest(address, step))) {
            return Reply.error(503, "the scaler is busy");
        }
        return new Reply(202, Map.of("op", ReplaceRequest.OP, "target", address));
    }

    /** A deploy closes the target cloud to the {@code type} parameter's type (every type without it); its revoke opens it again. */
    private Reply ban(WebhookCall call) {
        String id = call.action().id();
        Object request = new CloneBan.Lift(id);
        if (call.deploy()) {
            String cloud = call.action().target();
            String type = call.action().params().get(CloneBan.TYPE_PARAM);
            if (!role.hasCloud(cloud)) {
                return Reply.error(404, "unknown cloud " + cloud);
            }
            if (type != null && !role.knows(type)) {
                return Reply.error(404, "unknown instance type " + type);
            }
            if (call.action().params().size() > (type == null ? 0 : 1)) {
                return Reply.error(422, CloneBan.OP + " takes no parameter but " + CloneBan.TYPE_PARAM);
            }
            request = new CloneBan(id, cloud, type, call.action().expires());
        }
        if (!role.submit(request)) {
            return Reply.error(503, "the scaler is busy");
        }
        return call.deploy() ? new Reply(202, Map.of("op", CloneBan.OP, "target", call.action().target())) : new Reply(204, null);
    }

    @Override
    public void close() {
        api.close();
    }
}
