package dev.d2r2.cluster.raft;

import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Ratis settings d2r2 sets on a replica; everything else keeps Ratis' defaults (gRPC
 * transport, pre-vote, log fsynced before an entry counts towards a majority).
 *
 * <p>Elections start after {@link #ELECTION_TIMEOUT_MIN} to twice that of silence from the
 * leader, Ratis' default, set here so that it is a decision: at 100-200 ms three replicas on a
 * 2-core host with a load of 30 elected no leader within two minutes (each candidate's vote
 * requests outlived its timeout); pre-vote keeps a follower merely starved of CPU from
 * unseating a leader the others still hear.
 *
 * <p>A leader that has not heard from a majority for the maximum election timeout steps down,
 * and Ratis then keeps it out of elections for {@link #STEP_DOWN_WAIT}, 10 s by default. Right
 * after a replica dies only two are left, and on a loaded host one late answer (over 300 ms)
 * makes the survivor that leads step down; when the other one had stepped down too, no
 * replica would stand for 10 s (failovers of 11.7 s were measured so). Pre-vote already keeps
 * a replica that stepped down because it was cut off from unseating a leader the others hear,
 * so the wait only has to let a replica that still hears the majority win first: twice the
 * maximum election timeout.
 *
 * @param snapshotEveryEntries a snapshot is taken every this many applied entries, and the log
 *                             before it purged: a replica further behind gets the snapshot
 * @param purgeLog whether the log before a snapshot is purged; not on a broker's replica, whose
 *                 replicated channels' events are in the log only (the snapshot holds the control
 *                 state), so that a replica far behind, or a new one, replays them from the log
 */
public record RaftSettings(long snapshotEveryEntries, boolean purgeLog) {
    public static final Duration ELECTION_TIMEOUT_MIN = Duration.ofMillis(150);
    public static final Duration STEP_DOWN_WAIT = ELECTION_TIMEOUT_MIN.multipliedBy(4);
    public static final RaftSettings DEFAULT = new RaftSettings(1024);
    /** A broker replica's: the log is kept whole. */
    public static final RaftSettings BROKER = new RaftSettings(1024, false);

    public RaftSettings(long snapshotEveryEntries) {
        this(snapshotEveryEntries, true);
    }

    public RaftSettings {
        if (snapshotEveryEntries < 1) {
            throw new IllegalArgumentException("snapshotEveryEntries must be positive");
        }
    }

    /**
     * Ratis listens on one port for peers, clients and administration; it is bound to the
     * replica's own address (loopback unless the cluster file says otherwise), never to every
     * interface.
     */
    RaftProperties serverProperties(InetSocketAddress address, Path storageDir) {
        RaftProperties p = new RaftProperties();
        GrpcConfigKeys.Server.setHost(p, address.getHostString());
        GrpcConfigKeys.Server.setPort(p, address.getPort());
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(ELECTION_TIMEOUT_MIN));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(ELECTION_TIMEOUT_MIN.multipliedBy(2)));
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p, millis(STEP_DOWN_WAIT));
        RaftServerConfigKeys.setStorageDir(p, List.of(storageDir.toFile()));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotEveryEntries);
        RaftServerConfigKeys.Snapshot.setCreationGap(p, snapshotEveryEntries);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, purgeLog);
        RaftServerConfigKeys.Log.setPurgeGap(p, purgeLog ? (int) Math.min(Integer.MAX_VALUE, snapshotEveryEntries)
                : Integer.MAX_VALUE);
        return p;
    }

    private static TimeDuration millis(Duration d) {
        return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
    }
}
