package dev.d2r2.tunnel.path;

import java.util.HashMap;
import java.util.Map;

/**
 * Trust in [0, 1] per subject: a path or a peer, by name (a name never seen is fully trusted). An
 * indictment lowers a subject's trust by {@code indictment}; a policy's distrust sets it to 0; a
 * clearance or a revoked distrust restores it to 1. A peer below {@code refuseBelow} is refused:
 * none of its frames are accepted and nothing is sent to it. Owned by one thread.
 */
public final class TrustBook {
    private final double indictment;
    private final double refuseBelow;
    private final Map<String, Double> trust = new HashMap<>();

    public TrustBook(MhConfig.Trust config) {
        this(config.indictment(), config.refuseBelow());
    }

    public TrustBook(double indictment, double refuseBelow) {
        if (!(indictment > 0 && indictment <= 1) || !(refuseBelow >= 0 && refuseBelow <= 1)) {
            throw new IllegalArgumentException("indictment in (0, 1], refuse-below in [0, 1]");
        }
        this.indictment = indictment;
        this.refuseBelow = refuseBelow;
    }

    public double trust(String subject) {
        return trust.getOrDefault(subject, 1.0);
    }

    public void indict(String subject) {
        trust.put(subject, Math.max(0, trust(subject) - indictment));
    }

    public void distrust(String subject) {
        trust.put(subject, 0.0);
    }

    public void restore(String subject) {
        trust.remove(subject);
    }

    /** Applies a change translated from an indictment, a clearance or a policy decision. */
    public void apply(TrustInput input) {
        switch (input.change()) {
            case INDICT -> indict(input.subject());
            case DISTRUST -> distrust(input.subject());
            case RESTORE -> restore(input.subject());
        }
    }

    public boolean refused(String peer) {
        return trust(peer) < refuseBelow;
    }
}
