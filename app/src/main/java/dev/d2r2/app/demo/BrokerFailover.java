package dev.d2r2.app.demo;

import dev.d2r2.app.web.Observatory;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.AgentRunner;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The broker's incident during the flood, on the demo's replicas: the leader killed, restarted
 * later to catch up. A {@link Witness} publishes from the story's start; each change of leader
 * is marked on the dashboard's {@value #LANE} lane; at the end the witness's acknowledged events
 * are read back from every replica's log.
 */
final class BrokerFailover implements AutoCloseable {
    static final String LANE = "broker";
    /** How long a replica's log may take to show every acknowledged witness event when read back. */
    private static final Duration READ_BACK = Duration.ofSeconds(15);

    private final BrokerReplicas replicas;
    private final Observatory observatory;
    private final Witness witness;
    private final AgentRunner witnessRunner;
    private final AgentRunner watch;
    private final List<Map<String, Object>> changes = new ArrayList<>();
    private String killed;
    private volatile Long lost;

    /** {@code client}: the witness's, which it closes. */
    BrokerFailover(BrokerReplicas replicas, BrokerClient client, Observatory observatory) {
        this.replicas = replicas;
        this.observatory = observatory;
        this.witness = new Witness(client);
        this.witnessRunner = new AgentRunner(witness, 16, Clock.system()).start();
        this.watch = new AgentRunner(new LeaderWatch(replicas::leader, this::leaderChanged), 16, Clock.system()).start();
    }

    private void leaderChanged(String from, String to) {
        long now = System.currentTimeMillis();
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("time", now);
        change.put("from", from);
        change.put("to", to);
        synchronized (changes) {
            changes.add(change);
        }
        observatory.note(now, LANE, "broker leader " + from + " -> " + to);
    }

    /** Kills the replica that leads now. */
    void killLeader() throws IOException {
        String leader = replicas.leader().orElseThrow(() -> new IOException("no broker replica leads: none to kill"));
        long from = System.currentTimeMillis();
        observatory.note(from, LANE, "broker leader " + leader + " killed (Raft and listener closed, no hand-off)");
        replicas.kill(leader);
        killed = leader;
        witnessRunner.deliver(new Witness.Killed(from, System.currentTimeMillis()));
    }

    /** Starts the killed replica again; it catches up from the leader by itself. The story goes on on two if it cannot. */
    void restart() {
        if (killed == null) {
            return;
        }
        try {
            replicas.restart(killed);
            observatory.note(System.currentTimeMillis(), LANE, "broker replica " + killed + " restarted: it catches up from the leader");
        } catch (IOException | RuntimeException e) {
            observatory.note(System.currentTimeMillis(), LANE, "broker replica " + killed + " could not restart: " + e.getMessage());
        }
    }

    /** Stops the witness and reads its acknowledged events back from every replica's log. */
    void countLost() {
        witnessRunner.deliver(new Witness.Stop());
        lost = replicas.missing(Witness.CHANNEL, witness.acknowledged(), READ_BACK);
    }

    /** From the kill to the first event acknowledged by the new leader, in seconds; null before. */
    Double failoverSeconds() {
        return witness.failoverSeconds();
    }

    /** Acknowledged witness events missing from a replica's log; null until counted. */
    Long lost() {
        return lost;
    }

    /** What {@code /api/replicas} shows: each replica, the leader and the changes of leader so far. */
    Map<String, Object> view() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("leader", replicas.leader().orElse(null));
        v.put("replicas", replicas.status().stream().map(s -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", s.name());
            r.put("address", s.address());
            r.put("role", s.role());
            r.put("applied", s.applied());
            r.put("up", s.up());
            return r;
        }).toList());
        synchronized (changes) {
            v.put("changes", List.copyOf(changes));
        }
        return v;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            witnessRunner.close();
        } finally {
            watch.close();
        }
    }
}
