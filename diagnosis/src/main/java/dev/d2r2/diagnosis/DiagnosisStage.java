package dev.d2r2.diagnosis;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.diagnosis.events.CannotVote;
import dev.d2r2.diagnosis.events.DistanceMatrix;
import dev.d2r2.diagnosis.events.PeerCleared;
import dev.d2r2.diagnosis.events.PeerIndicted;
import dev.d2r2.monitor.events.Sample;
import dev.d2r2.sip.events.EdgeTraffic;
import dev.d2r2.sip.events.SipEvents;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The diagnosis of one configuration, without threads, sockets or a clock of its own: samples of
 * the profiles' metric set go in; a window closes {@code grace} after its end, and then per group
 * a vote whose indictments, clearances and distance matrix (or why it could not vote) come out as
 * events. {@link DiagnosisRole} runs it on its agent's thread; {@code d2r2 replay} in virtual time.
 */
public final class DiagnosisStage {
    /** What became of an event: a sample taken, not watched, malformed or late; the edge's backend set. */
    public enum Taken { TAKEN, NOT_WATCHED, MALFORMED, LATE, BACKENDS }

    private final DiagnosisConfig config;
    private final Profiles profiles;
    private final long grace;
    private final Windows windows;
    private final Map<String, Diagnoser> groups = new LinkedHashMap<>();
    private final Map<String, String> groupOf = new HashMap<>();
    /** The edge's backends as its last telemetry listed them; null before any. */
    private Set<String> backends;

    public DiagnosisStage(DiagnosisConfig config, Profiles profiles) {
        this.config = config;
        this.profiles = profiles;
        this.grace = config.graceMillis(profiles.windowMs());
        this.windows = new Windows(profiles.metrics(), profiles.windowMs());
        if (!config.groupsConfigured()) {
            groups.put(DiagnosisConfig.ALL, new Diagnoser(profiles, List.of()));
        } else {
            config.groups().forEach((name, peers) -> {
                groups.put(name, new Diagnoser(profiles, peers));
                peers.forEach(p -> groupOf.put(p, name));
            });
            if (config.backends() != null) {
                groups.put(DiagnosisConfig.BACKENDS, new Diagnoser(profiles, List.of()));
            }
        }
    }

    /** Whether an event of this type is a sample of the metric set or the edge's telemetry (a cheap filter for a delivery thread). */
    public boolean wants(String type) {
        return windows.wants(type) || config.backends() != null && SipEvents.EDGE_TRAFFIC.matches(type);
    }

    /**
     * A sample: into its window, unless it is not one of the metric set or a group's, malformed, or
     * late. The edge's telemetry: its backends are the group {@code backends} from now on.
     */
    public Taken accept(Event e) throws EventFormatException {
        if (config.backends() != null && SipEvents.EDGE_TRAFFIC.matches(e.type())) {
            backends = Set.copyOf(EdgeTraffic.from(e).dialogsByBackend().keySet());
            return Taken.BACKENDS;
        }
        if (!windows.wants(e.type())) {
            return Taken.NOT_WATCHED;
        }
        Sample s = Sample.from(e);
        if (s.service() == null || !Double.isFinite(s.value())) {
            return Taken.MALFORMED;
        }
        if (config.groupsConfigured() && !groupOf.containsKey(s.service()) && !mayBeBackend(s.service())) {
            return Taken.NOT_WATCHED;
        }
        return windows.add(s.service(), s.metric(), s.time(), s.value()) ? Taken.TAKEN : Taken.LATE;
    }

    /** Before the edge has spoken, any peer may be one of its backends: its window says the group cannot vote yet. */
    private boolean mayBeBackend(String peer) {
        return config.backends() != null && (backends == null || backends.contains(peer));
    }

    /** When the next window closes, seen at {@code now}. */
    public long nextDue(long now) {
        return windows.nextEnd(now) + grace;
    }

    /** Closes every window due by {@code now}; each group's vote goes to {@code out}, window by window. */
    public void close(long now, Consumer<Event> out) {
        for (Windows.Window w : windows.close(now - grace)) {
            for (Map.Entry<String, Diagnoser> g : groups.entrySet()) {
                vote(g.getKey(), g.getValue(), w, out);
            }
        }
    }

    private void vote(String group, Diagnoser diagnoser, Windows.Window w, Consumer<Event> out) {
        boolean edge = config.backends() != null && group.equals(DiagnosisConfig.BACKENDS);
        if (edge && (backends == null || backends.size() < VoteSettings.MIN_PEERS)) {
            out.accept(new CannotVote(w.end(), group, backends == null ? "no backend set from the edge yet (channel "
                    + config.backends() + ")" : "the edge has " + backends.size() + " backend" + (backends.size() == 1 ? "" : "s")
                    + "; at least " + VoteSettings.MIN_PEERS + " are needed").toEvent());
            return;
        }
        Map<String, double[]> mine = new TreeMap<>();
        w.vectors().forEach((peer, v) -> {
            if (!config.groupsConfigured() || (edge ? backends.contains(peer) : group.equals(groupOf.get(peer)))) {
                mine.put(peer, v);
            }
        });
        Verdict v = diagnoser.step(w.end(), mine);
        if (v.cannotVote() != null) {
            out.accept(new CannotVote(w.end(), group, v.cannotVote()).toEvent());
        } else {
            out.accept(new DistanceMatrix(w.end(), group, v.voters(), v.distances(), profiles.threshold(), v.histograms()).toEvent());
        }
        for (Indictment i : v.indicted()) {
            out.accept(new PeerIndicted(w.end(), i.peer(), group, i.distance(), profiles.threshold(), i.votes(), i.voters(),
                    i.effect(), i.metric(), i.windows()).toEvent());
        }
        for (String peer : v.cleared()) {
            out.accept(new PeerCleared(w.end(), peer, group).toEvent());
        }
    }
}
