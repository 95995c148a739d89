package dev.d2r2.migrate.events;

import dev.d2r2.core.events.Attribute;
import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

import static dev.d2r2.core.events.Attribute.optional;
import static dev.d2r2.core.events.Attribute.required;

/** Every event type the migrate module publishes. */
public final class MigrateEvents implements EventCatalogue {
    private static final String TAKEOVER_PUBLISHER = "takeover member";
    private static final String TAKEOVER_CHANNEL = "printed on stdout by d2r2 takeover (one JSON line each)";
    private static final String TAKEOVER_SOURCE = "the member's name";

    private static List<Attribute> addressChange() {
        return List.of(required(AddressChange.ADDRESS, String.class, "the service address with its prefix"),
                required(AddressChange.INTERFACE, String.class, "the interface it is added to or removed from"),
                required(AddressChange.EPOCH, Long.class, "the epoch of this holding (each acquisition takes one above any seen)"),
                required(AddressChange.REASON, String.class, "why, in words"));
    }

    public static final EventType ADDRESS_ACQUIRED = new EventType("takeover.address.acquired", EventType.Kind.MESSAGE,
            TAKEOVER_PUBLISHER, TAKEOVER_CHANNEL, TAKEOVER_SOURCE, addressChange(),
            "A member added the service address to its interface and announced it by gratuitous ARP; time is taken"
                    + " before the address is added.",
            "{\"type\":\"takeover.address.acquired\",\"time\":1000,\"source\":\"backup\",\"attrs\":{\"address\":\"10.97.23.100/24\","
                    + "\"interface\":\"eth0\",\"epoch\":2,\"reason\":\"no holder heard for 60 ms\"}}");

    public static final EventType ADDRESS_RELEASED = new EventType("takeover.address.released", EventType.Kind.MESSAGE,
            TAKEOVER_PUBLISHER, TAKEOVER_CHANNEL, TAKEOVER_SOURCE, addressChange(),
            "A member removed the service address: it heard a holder of a higher epoch, lost the majority (fencing), or"
                    + " stopped; time is taken after the address is removed.",
            "{\"type\":\"takeover.address.released\",\"time\":1000,\"source\":\"master\",\"attrs\":{\"address\":\"10.97.23.100/24\","
                    + "\"interface\":\"eth0\",\"epoch\":1,\"reason\":\"heard 0 of the 1 peers a majority needs in 30 ms\"}}");

    public static final EventType NAT_STEERED = new EventType("takeover.nat.steered", EventType.Kind.MESSAGE,
            "takeover NAT front (a witness with nat)", TAKEOVER_CHANNEL, "the front's member name",
            List.of(required(NatSteered.PUBLIC, String.class, "the public address:port clients send to"),
                    required(NatSteered.MEMBER, String.class, "the member the front now steers to: the highest-ranked holder heard"),
                    required(NatSteered.TARGET, String.class, "that member's address:port, where the traffic now goes"),
                    required(NatSteered.EPOCH, Long.class, "the epoch of that member's holding")),
            "The NAT front rewrote its nftables rule (one transaction) so that the public address reaches the holder;"
                    + " time is taken after nft returned.",
            "{\"type\":\"takeover.nat.steered\",\"time\":1000,\"source\":\"front\",\"attrs\":{\"public\":\"203.0.113.10:5060\","
                    + "\"member\":\"backup\",\"target\":\"10.97.27.2:5060\",\"epoch\":2}}");

    public static final EventType MIGRATION_OUTCOME = new EventType("migration.outcome", EventType.Kind.MESSAGE, "migration host",
            "printed on stdout by d2r2 migrate host (one JSON line each)", "the source host's name",
            List.of(required(MigrationOutcome.TARGET, String.class, "the target host's transfer address (host:port)"),
                    required(MigrationOutcome.OUTCOME, String.class, "moved, aborted (the source serves again) or unconfirmed"
                            + " (the source let go, the target never confirmed)"),
                    required(MigrationOutcome.ROUNDS, Long.class, "delta rounds of the pre-copy"),
                    required(MigrationOutcome.ENTRIES, Long.class, "table entries sent in all (state, deltas, final delta)"),
                    required(MigrationOutcome.PRECOPY_MS, Long.class, "connect to the last delta, while the server served"),
                    required(MigrationOutcome.STOPCOPY_MS, Long.class, "server paused to the target ready (-1: not reached)"),
                    required(MigrationOutcome.REDIRECT_MS, Long.class, "target ready to serving at the address (-1: not reached)"),
                    required(MigrationOutcome.DOWNTIME_MS, Long.class, "server paused to the target serving (-1: not reached)"),
                    required(MigrationOutcome.REASON, String.class, "why it did not move; empty when it did")),
            "A live migration of the SIP server from this host ended.",
            "{\"type\":\"migration.outcome\",\"time\":1000,\"source\":\"h1\",\"attrs\":{\"target\":\"10.97.23.2:7600\","
                    + "\"outcome\":\"moved\",\"rounds\":2,\"entries\":5400,\"precopy_ms\":61,\"stopcopy_ms\":9,"
                    + "\"redirect_ms\":12,\"downtime_ms\":21,\"reason\":\"\"}}");

    public static final EventType HOST_AT_RISK = new EventType("migration.host.at-risk", EventType.Kind.MESSAGE,
            "migration classifier (d2r2 migrate classify), or anyone with d2r2 publish",
            "alerts (what the strategy policy reads); d2r2 migrate classify prints it on stdout",
            "the host at risk (the migrate actuator's target)",
            List.of(required(HostAtRisk.CLASS, String.class, "crash, omission, timing or byzantine"),
                    required(HostAtRisk.LOCATION, String.class, "vm (the service itself), host or network"),
                    required(HostAtRisk.PREDICTABLE, Boolean.class, "true when there is time left to act before it fails"),
                    required(HostAtRisk.SPARE, String.class, "a spare host's transfer address (host:port)"),
                    optional(HostAtRisk.EVIDENCE, String.class, "what the classifier saw, in words")),
            "A host's failure, or the threat of one, classified as the migration strategy table needs it;"
                    + " examples/policies/migration-strategy.yaml turns it into a strategy for the migrate actuator. The"
                    + " classifier publishes it when its verdict changes.",
            "{\"type\":\"migration.host.at-risk\",\"time\":1000,\"source\":\"h1\",\"attrs\":{\"class\":\"crash\","
                    + "\"location\":\"host\",\"predictable\":true,\"spare\":\"10.97.24.2:7600\","
                    + "\"evidence\":\"the service is healthy; warnings disk.reallocated\"}}");

    public static final EventType ANSWER_JUDGED = new EventType("migration.answer.judged", EventType.Kind.MESSAGE,
            "answer judge (d2r2 migrate judge)", "printed on stdout by d2r2 migrate judge (one JSON line each), for d2r2 migrate"
                    + " classify", "the service judged (the classifier's judge)",
            List.of(required(AnswerJudged.SERVER, String.class, "the server's address (host:port)"),
                    required(AnswerJudged.VERDICT, String.class, "right, wrong (answered, but not what the request asks: a"
                            + " Byzantine sign), refused (a final error) or lost (no final answer in time)"),
                    optional(AnswerJudged.STATUS, Long.class, "the answer's status code (0 when none)"),
                    optional(AnswerJudged.WHY, String.class, "what was wrong, in words; empty when right")),
            "The judge sent the server a REGISTER of its own and judged the answer against what the request asks.",
            "{\"type\":\"migration.answer.judged\",\"time\":1000,\"source\":\"h1-sip\",\"attrs\":{\"server\":\"10.97.24.1:5060\","
                    + "\"verdict\":\"wrong\",\"status\":200,\"why\":\"the binding registered is missing from the 200\"}}");

    public static final EventType SNAPSHOT_TAKEN = new EventType("migration.snapshot.taken", EventType.Kind.MESSAGE,
            "migration host", "printed on stdout by d2r2 migrate host (one JSON line each)", "the snapshotted host's name",
            List.of(required(SnapshotTaken.KEEPER, String.class, "the keeper's transfer address (host:port)"),
                    required(SnapshotTaken.REGISTRATIONS, Long.class, "registrations in the snapshot"),
                    required(SnapshotTaken.CALLS, Long.class, "established calls in the snapshot"),
                    required(SnapshotTaken.BYTES, Long.class, "size of the state sent")),
            "A periodic snapshot of the host's SIP server state reached its keeper, which stored it (it keeps the last N).",
            "{\"type\":\"migration.snapshot.taken\",\"time\":1000,\"source\":\"h1\",\"attrs\":{\"keeper\":\"10.97.24.2:7600\","
                    + "\"registrations\":20,\"calls\":4,\"bytes\":2100}}");

    public static final EventType SNAPSHOT_RESTORED = new EventType("migration.snapshot.restored", EventType.Kind.MESSAGE,
            "migration host", "printed on stdout by d2r2 migrate host (one JSON line each)", "the host that now serves",
            List.of(required(SnapshotRestored.OF, String.class, "the host whose snapshot was restored"),
                    required(SnapshotRestored.TAKEN_AT, Long.class, "when the snapshot was taken (epoch ms)"),
                    required(SnapshotRestored.REGISTRATIONS, Long.class, "registrations restored"),
                    required(SnapshotRestored.REFUSED, Long.class, "newer snapshots refused as corrupt or truncated")),
            "A host started a SIP server from the newest valid snapshot it keeps of another host (or of itself).",
            "{\"type\":\"migration.snapshot.restored\",\"time\":1000,\"source\":\"h2\",\"attrs\":{\"of\":\"h1\","
                    + "\"taken_at\":990,\"registrations\":20,\"refused\":0}}");

    public static final EventType SERVER_ARRIVED = new EventType("migration.server.arrived", EventType.Kind.MESSAGE,
            "migration host", "printed on stdout by d2r2 migrate host (one JSON line each)", "the host that now serves",
            List.of(required(ServerArrived.FROM, String.class, "where the server served at its source (host:port)"),
                    required(ServerArrived.LISTEN, String.class, "where it serves now (host:port)"),
                    required(ServerArrived.NOTIFIED, Long.class, "server-mobility subscribers sent a NOTIFY of the new address")),
            "A live migration, or a restore from a snapshot, brought the SIP server to this host at another address (the"
                    + " host's `arrive`): the clients"
                    + " follow it (redirection (b), docs/migration.md). The host prints a sip.edge.command `move` beside it for"
                    + " the edge.",
            "{\"type\":\"migration.server.arrived\",\"time\":1000,\"source\":\"h2\",\"attrs\":{\"from\":\"10.97.24.1:5070\","
                    + "\"listen\":\"10.97.24.2:5070\",\"notified\":12}}");

    public static final EventType REPLICA_TOOK_OVER = new EventType("migration.replica.took-over", EventType.Kind.MESSAGE,
            "migration host", "printed on stdout by d2r2 migrate host (one JSON line each)", "the replica's host, which now serves",
            List.of(required(ReplicaTookOver.OF, String.class, "the source host's name"),
                    required(ReplicaTookOver.FROM, String.class, "where the source's server served (host:port): the edge's backend removed"),
                    required(ReplicaTookOver.LISTEN, String.class, "where the replica serves (host:port)"),
                    required(ReplicaTookOver.REASON, String.class, "how the source was found failed: its stream broke or fell silent"),
                    required(ReplicaTookOver.STATE_AGE_MS, Long.class, "how old the state taken over was: from the source's last"
                            + " round (its clock) to the takeover; at most a period plus the detection"),
                    required(ReplicaTookOver.LAG_MS, Long.class, "the last round's delay from taken at the source to received"),
                    required(ReplicaTookOver.DELTAS, Long.class, "rounds received since the replica started"),
                    required(ReplicaTookOver.NOTIFIED, Long.class, "the source's server-mobility subscribers sent a NOTIFY of the"
                            + " replica's address")),
            "A replica kept in step with its source (the replicate strategy) found its source failed and took over with the"
                    + " source's registrations, calls and subscribers as of the last round; the host prints a sip.edge.command"
                    + " `remove` of the source's backend beside it.",
            "{\"type\":\"migration.replica.took-over\",\"time\":1000,\"source\":\"h2\",\"attrs\":{\"of\":\"h1\","
                    + "\"from\":\"10.97.24.1:5070\",\"listen\":\"10.97.24.2:5070\",\"reason\":\"no delta from h1 for 1000 ms\","
                    + "\"state_age_ms\":1060,\"lag_ms\":1,\"deltas\":1200,\"notified\":12}}");

    @Override
    public String module() {
        return "migrate";
    }

    @Override
    public List<EventType> types() {
        return List.of(ADDRESS_ACQUIRED, ADDRESS_RELEASED, NAT_STEERED, MIGRATION_OUTCOME, HOST_AT_RISK, ANSWER_JUDGED, SNAPSHOT_TAKEN, SNAPSHOT_RESTORED,
                SERVER_ARRIVED, REPLICA_TOOK_OVER);
    }
}
