package dev.d2r2.app.cli;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.diagnosis.events.PeerCleared;
import dev.d2r2.diagnosis.events.PeerIndicted;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.tunnel.path.TrustInput;

/**
 * Which events change a multihomed endpoint's trust, and how: a diagnosis indictment lowers the
 * trust of its source (a path or peer name), a clearance restores it; a policy decision of actuator
 * {@code tunnel-path}, op {@code distrust} withdraws all trust in its target while deployed and
 * restores it when revoked. Anything else is not about trust (null); a malformed event of those
 * types is an {@link EventFormatException}.
 */
final class PathTrustFeed {
    static final String ACTUATOR = "tunnel-path";
    static final String DISTRUST = "distrust";

    private PathTrustFeed() {
    }

    static TrustInput translate(Event e) throws EventFormatException {
        if (PeerIndicted.TYPE.equals(e.type())) {
            return new TrustInput(PeerIndicted.from(e).peer(), TrustInput.Change.INDICT);
        }
        if (PeerCleared.TYPE.equals(e.type())) {
            return new TrustInput(PeerCleared.from(e).peer(), TrustInput.Change.RESTORE);
        }
        if (!PolicyEvents.DECISION.matches(e.type())) {
            return null;
        }
        ActionDecision d = ActionDecision.from(e);
        if (!ACTUATOR.equals(d.action().actuator()) || !DISTRUST.equals(d.action().op())) {
            return null;
        }
        return switch (d.verdict()) {
            case DEPLOY, EXTEND -> new TrustInput(d.action().target(), TrustInput.Change.DISTRUST);
            case REVOKE -> new TrustInput(d.action().target(), TrustInput.Change.RESTORE);
            case REFUSE -> null;
        };
    }
}
