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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scaler's actuator API, the way the SIP edge's is driven: the policy engine's webhook
 * actuator POSTs its calls to {@code /actions} ({@code {"call":"deploy","op":"scale-out",
 * "target":"sip",...}}, or {@code "op":"replace","target":"HOST:PORT"} for one instance, or
 * {@code "op":"forbid-clone","target":"CLOUD"} for a policy prohibition, lifted by its revoke)
 * with the bearer token of the API's token file; {@code GET /instances}
 * lists the instances and their states. Binds loopback only.
 *
 * <p>A scale-out, scale-in or replace is answered once the step is over ({@link AwaitedStep}):
 * 200 when it did what it was for or had nothing to do ({@code declined} says why), 502 with the
 * reason when it failed. The webhook's call so ends as the step does, and the policy's outcome for
 * the action is the step's. The policy's dispatcher makes its calls off the engine's thread, so a
 * step of a minute holds up only the calls to the same actuator.
 */
public final class ScalerApi implements AutoCloseable {
    private final ActionApi api;
    private final Scaling role;
    /** The steps callers wait for: answered when the API closes, whatever the role does. */
    private final Set<CompletableFuture<AwaitedStep.End>> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

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
        return await(new ScaleRequest(op, type, call.action().id()), op, type);
    }

    private Reply replace(String address, String step) {
        if (!role.serves(address)) {
            return Reply.error(404, "no instance serves at " + address);
        }
        return await(new ReplaceRequest(address, step), ReplaceRequest.OP, address);
    }

    /** Hands the step to the role and answers when it is over (or the API closes first). */
    private Reply await(Object request, String op, String target) {
        AwaitedStep step = new AwaitedStep(request);
        pending.add(step.done());
        try {
            if (closed || !role.submit(step)) {
                return Reply.error(503, "the scaler is busy");
            }
            AwaitedStep.End end = step.done().join();
            if (!end.ok()) {
                return Reply.error(502, end.why());
            }
            Map<String, String> body = new LinkedHashMap<>();
            body.put("op", op);
            body.put("target", target);
            if (end.why() != null) {
                body.put("declined", end.why());
            }
            return Reply.ok(body);
        } finally {
            pending.remove(step.done());
        }
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
        closed = true;
        boolean answering = !pending.isEmpty();
        pending.forEach(f -> f.complete(AwaitedStep.End.failed("the scaler's API closed before the step was over")));
        api.close(answering ? 1 : 0);
    }
}
