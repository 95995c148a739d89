package dev.d2r2.tunnel.path;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.tunnel.wire.TunnelIdentity;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;

/**
 * A multihomed endpoint's configuration ({@code d2r2 tunnel mh --config F}); docs/tunnels.md
 * describes every key and its default.
 *
 * <pre>
 * name: a
 * peer: b                    # the far endpoint's name (its trust is looked up under it)
 * tunnel: 7                  # the tunnel id: both ends the same, the key derived from it
 * identity: a.identity       # its d2r2 identity file, relative to this file
 * peer-public-key: 5c2f...   # the peer's tunnel public key (d2r2 tunnel pubkey): the tunnel's keys are both identities'
 * mode: primary-backup       # or concurrent
 * paths:                     # at least one; the first wins a tie
 *   - {name: p1, local: 10.2.1.1:4790, remote: 10.2.1.2:4790}
 *   - {name: p2, local: 10.2.2.1:4790, remote: 10.2.2.2:4790, penalty: 20}
 * app: {listen: 127.0.0.1:7100, to: 127.0.0.1:7000}
 * probe: {every: 10ms, window: 100, loss-after: 100ms, down-after: 60ms}
 * weights: {delay: 1, jitter: 2, loss: 10, distrust: 1}
 * hysteresis: {margin: 5, hold: 2s}
 * trust: {indictment: 0.5, refuse-below: 0.3}
 * score-every: 1s
 * </pre>
 */
public record MhConfig(String name, String peer, Integer tunnel, String identity, @JsonProperty("peer-public-key") String peerPublicKey,
                       String mode, List<PathRef> paths, App app, Probe probe,
                       Weights weights, Hysteresis hysteresis, Trust trust, @JsonProperty("score-every") Duration scoreEvery) {

    /** One path: the local address its socket binds and the peer's address on that path. */
    public record PathRef(String name, String local, String remote, Double penalty) {
        public PathRef {
            if (name == null || name.isBlank()) {
                throw new InvalidAt("a path needs a name", "name");
            }
            hostPort(local, "local");
            hostPort(remote, "remote");
            if (penalty != null && !(penalty >= 0)) {
                throw new InvalidAt("must not be negative", "penalty");
            }
        }

        InetSocketAddress localAddress() {
            return HostPort.parse(local);
        }

        InetSocketAddress remoteAddress() {
            return HostPort.parse(remote);
        }

        double penaltyOrZero() {
            return penalty == null ? 0 : penalty;
        }
    }

    /**
     * The application side: datagrams to {@code listen} go to the peer; the peer's go to {@code to},
     * or, without it, back to whoever last sent to {@code listen}.
     */
    public record App(String listen, String to) {
        public App {
            hostPort(listen, "listen");
            if (to != null) {
                hostPort(to, "to");
            }
        }
    }

    public record Probe(Duration every, Integer window, @JsonProperty("loss-after") Duration lossAfter,
                        @JsonProperty("down-after") Duration downAfter) {
        static final Probe DEFAULTS = new Probe(null, null, null, null);

        public Probe {
            every = positive(every, Duration.ofMillis(10), "every");
            if (every.toMillis() < 1) {
                throw new InvalidAt("at least 1ms (the agent timer's resolution)", "every");
            }
            window = window == null ? 100 : window;
            if (window < 1 || window > 100_000) {
                throw new InvalidAt("1 to 100000 probes", "window");
            }
            lossAfter = positive(lossAfter, Duration.ofMillis(100), "loss-after");
            downAfter = positive(downAfter, Duration.ofMillis(60), "down-after");
        }
    }

    public record Weights(Double delay, Double jitter, Double loss, Double distrust) {
        public ScoreWeights score() {
            ScoreWeights d = ScoreWeights.DEFAULTS;
            try {
                return new ScoreWeights(delay == null ? d.delay() : delay, jitter == null ? d.jitter() : jitter,
                        loss == null ? d.loss() : loss, distrust == null ? d.distrust() : distrust);
            } catch (IllegalArgumentException e) {
                throw new InvalidAt(e.getMessage());
            }
        }
    }

    public record Hysteresis(Double margin, Duration hold) {
        static final Hysteresis DEFAULTS = new Hysteresis(null, null);

        public Hysteresis {
            margin = margin == null ? 5.0 : margin;
            if (!(margin >= 0)) {
                throw new InvalidAt("must not be negative", "margin");
            }
            hold = hold == null ? Duration.ofSeconds(2) : hold;
            if (hold.isNegative()) {
                throw new InvalidAt("must not be negative", "hold");
            }
        }
    }

    public record Trust(Double indictment, @JsonProperty("refuse-below") Double refuseBelow) {
        static final Trust DEFAULTS = new Trust(null, null);

        public Trust {
            indictment = indictment == null ? 0.5 : indictment;
            if (!(indictment > 0 && indictment <= 1)) {
                throw new InvalidAt("in (0, 1]", "indictment");
            }
            refuseBelow = refuseBelow == null ? 0.3 : refuseBelow;
            if (!(refuseBelow >= 0 && refuseBelow <= 1)) {
                throw new InvalidAt("in [0, 1]", "refuse-below");
            }
        }
    }

    public MhConfig {
        if (name == null || name.isBlank()) {
            throw new InvalidAt("a name is required", "name");
        }
        if (peer == null || peer.isBlank()) {
            throw new InvalidAt("the peer's name is required", "peer");
        }
        if (tunnel == null || tunnel == 0) {
            throw new InvalidAt("a non-zero tunnel id is required", "tunnel");
        }
        if (identity == null || identity.isBlank()) {
            throw new InvalidAt("required", "identity");
        }
        if (peerPublicKey == null) {
            throw new InvalidAt("required", "peer-public-key");
        }
        try {
            TunnelIdentity.parsePublic(peerPublicKey);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), "peer-public-key");
        }
        mode = mode == null ? PathSelector.Mode.PRIMARY_BACKUP.key() : mode;
        try {
            PathSelector.Mode.of(mode);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), "mode");
        }
        if (paths == null || paths.isEmpty() || paths.size() > 64) {
            throw new InvalidAt("one to 64 paths", "paths");
        }
        var names = new HashSet<String>();
        for (int i = 0; i < paths.size(); i++) {
            if (!names.add(paths.get(i).name())) {
                throw new InvalidAt("path name " + paths.get(i).name() + " is used twice", "paths", i, "name");
            }
        }
        paths = List.copyOf(paths);
        if (app == null) {
            throw new InvalidAt("required: {listen: HOST:PORT, to: HOST:PORT}", "app");
        }
        probe = probe == null ? Probe.DEFAULTS : probe;
        weights = weights == null ? new Weights(null, null, null, null) : weights;
        weights.score();
        hysteresis = hysteresis == null ? Hysteresis.DEFAULTS : hysteresis;
        trust = trust == null ? Trust.DEFAULTS : trust;
        scoreEvery = positive(scoreEvery, Duration.ofSeconds(1), "score-every");
    }

    PathSelector.Mode selectorMode() {
        return PathSelector.Mode.of(mode);
    }

    private static void hostPort(String text, String key) {
        if (text == null) {
            throw new InvalidAt("required (HOST:PORT)", key);
        }
        try {
            HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), key);
        }
    }

    private static Duration positive(Duration d, Duration absent, String key) {
        if (d == null) {
            return absent;
        }
        if (d.isZero() || d.isNegative()) {
            throw new InvalidAt("must be positive", key);
        }
        return d;
    }
}
