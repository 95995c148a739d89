package dev.d2r2.diagnosis.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.events.Attribute;
import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

/** What the diagnosis role publishes on its channel (diagnosis.channel), once per window and group. */
public final class DiagnosisEvents implements EventCatalogue {
    private static final String PUBLISHER = "diagnosis";
    private static final String CHANNEL = "diagnosis (diagnosis.channel)";
    private static final Attribute GROUP = Attribute.required(PeerIndicted.GROUP, String.class, "the group of peers that voted");
    private static final Attribute THRESHOLD = Attribute.required(PeerIndicted.THRESHOLD, Double.class,
            "the trained threshold on √JSD");

    public static final EventType INDICTED = new EventType(PeerIndicted.TYPE, EventType.Kind.MESSAGE, PUBLISHER, CHANNEL,
            "the peer indicted (a service of the monitor)",
            List.of(GROUP,
                    Attribute.required(PeerIndicted.DISTANCE, Double.class, "its √JSD to the nearest peer of the majority it is far from"),
                    THRESHOLD,
                    Attribute.required(PeerIndicted.VOTES, Long.class, "how many other voters it is farther than the threshold from"),
                    Attribute.required(PeerIndicted.VOTERS, Long.class, "how many peers voted, itself included"),
                    Attribute.required(PeerIndicted.EFFECT, Double.class,
                            "how far its vector in the window is from those of the majority, in its most different metric (in that metric's pairwise spreads)"),
                    Attribute.required(PeerIndicted.METRIC, String.class, "that metric"),
                    Attribute.required(PeerIndicted.WINDOWS, Long.class, "the consecutive suspect windows behind the indictment")),
            "A peer behaves unlike a majority of its group, by more than the threshold and the absolute-effect floor, for "
                    + "`consecutive` windows: the likely culprit. Its trust is withdrawn until `diagnosis.cleared`.",
            "{\"type\":\"diagnosis.indicted\",\"time\":1795000000000,\"source\":\"127.0.0.1:5071\",\"attrs\":{\"group\":\"sip\","
                    + "\"distance\":0.68,\"threshold\":0.31,\"votes\":4,\"voters\":5,\"effect\":5.2,\"metric\":\"os.cpu_user_pct\","
                    + "\"windows\":2}}");

    public static final EventType CLEARED = new EventType(PeerCleared.TYPE, EventType.Kind.MESSAGE, PUBLISHER, CHANNEL,
            "the peer cleared", List.of(GROUP),
            "An indicted peer has not been suspect for `clear-after` windows: trusted again.",
            "{\"type\":\"diagnosis.cleared\",\"time\":1795000030000,\"source\":\"127.0.0.1:5071\",\"attrs\":{\"group\":\"sip\"}}");

    public static final EventType DISTANCES = new EventType(DistanceMatrix.TYPE, EventType.Kind.MESSAGE, PUBLISHER, CHANNEL,
            "the group",
            List.of(Attribute.required(DistanceMatrix.PEERS, String.class, "the voters, space-separated, in matrix order"),
                    Attribute.required(DistanceMatrix.MATRIX, String.class,
                            "the √JSD matrix: rows separated by `;`, values by spaces (4 decimals)"),
                    THRESHOLD,
                    Attribute.optional(DistanceMatrix.HISTOGRAMS, String.class,
                            "each voter's decayed histogram over the profiles as shares, the last bin \"like no profile\": rows"
                                    + " (in `peers` order) separated by `;`, values by spaces")),
            "The pairwise distances of a group's voters in one window, and the histograms they come from (the dashboard's"
                    + " diagnosis panel).",
            "{\"type\":\"diagnosis.distances\",\"time\":1795000000000,\"source\":\"sip\",\"attrs\":{\"peers\":\"s1 s2 s3\","
                    + "\"matrix\":\"0.0000 0.0500 0.6800;0.0500 0.0000 0.6600;0.6800 0.6600 0.0000\",\"threshold\":0.31,"
                    + "\"histograms\":\"0.9000 0.1000 0.0000;0.8500 0.1500 0.0000;0.1000 0.0500 0.8500\"}}");

    public static final EventType CANNOT_VOTE = new EventType(CannotVote.TYPE, EventType.Kind.MESSAGE, PUBLISHER, CHANNEL,
            "the group", List.of(Attribute.required(CannotVote.REASON, String.class, "why: how many peers could vote, and how many were missing")),
            "Fewer than 3 peers of a group had a complete vector in a window (missing, or still warming up): nobody is judged.",
            "{\"type\":\"diagnosis.cannot-vote\",\"time\":1795000000000,\"source\":\"sip\",\"attrs\":{\"reason\":"
                    + "\"2 peers can vote (3 known, 1 missing this window, the rest warming up); at least 3 are needed\"}}");

    /** Whether {@code e} is one of the diagnosis' verdicts (any of its types). */
    public static boolean isVerdict(Event e) {
        return INDICTED.matches(e.type()) || CLEARED.matches(e.type()) || DISTANCES.matches(e.type()) || CANNOT_VOTE.matches(e.type());
    }

    @Override
    public String module() {
        return "diagnosis";
    }

    @Override
    public List<EventType> types() {
        return List.of(INDICTED, CLEARED, DISTANCES, CANNOT_VOTE);
    }
}
