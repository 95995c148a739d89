package dev.d2r2.migrate.takeover;

import dev.d2r2.migrate.takeover.TakeoverConfig.Role;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The takeover decisions of one member, without sockets or clocks: it is told of authentic
 * keepalives and of the time, and answers whether to acquire or release the service address.
 *
 * <p>Fencing: a holder that has heard from no majority of the group for {@code misses} periods
 * releases the address (it may be on the minority side of a partition); a standby acquires it
 * only when it hears a majority and has heard no holder for {@code misses + margin} periods, so
 * after a symmetric cut the old holder has fenced itself {@code margin} periods before the new
 * one acquires; and only after hearing the majority for those periods, so a member that rejoins
 * it hears the holder first. Every acquisition takes an epoch above every epoch seen; a holder that hears a
 * holder with a higher epoch (or the same epoch and a higher priority or name) releases, which
 * settles a one-way cut or a healed partition. Sequence numbers refuse replays per member.
 */
public final class TakeoverMachine {
    public enum Action { NONE, ACQUIRE, RELEASE }

    private final String name;
    private final Role role;
    private final long periodMs;
    private final long fenceMs;
    private final long takeoverMs;
    private final int quorumPeers;
    private final Map<String, Integer> peerIndex = new HashMap<>();
    private final long[] lastHeard;
    private final long[] lastSeq;
    private boolean holding;
    private long epoch;
    private long maxEpoch;
    private long lastHolderHeard;
    private boolean heardHolder;
    private long lastTick;
    private long judgeFrom;
    private long quorumSince;
    private long stalls;
    private String reason = "";
    private long replays;
    private long strangers;
    private Keepalive leader;

    public TakeoverMachine(String name, Role role, List<String> peers, long periodMs, int misses, int margin, long nowMs) {
        this.name = name;
        this.role = role;
        this.periodMs = periodMs;
        this.fenceMs = misses * periodMs;
        this.takeoverMs = (misses + margin) * periodMs;
        this.quorumPeers = (peers.size() + 1) / 2;
        this.lastTick = nowMs;
        this.quorumSince = nowMs;
        for (int i = 0; i < peers.size(); i++) {
            peerIndex.put(peers.get(i), i);
        }
        this.lastHeard = new long[peers.size()];
        this.lastSeq = new long[peers.size()];
        Arrays.fill(lastHeard, Long.MIN_VALUE / 2);
        Arrays.fill(lastSeq, Long.MIN_VALUE);
        // a backup that starts with the master gives it time to acquire first
        this.lastHolderHeard = role == Role.master ? nowMs : nowMs + 2 * takeoverMs;
    }

    /** An authenticated keepalive; {@link Action#RELEASE} when a more recent holder exists. */
    public Action onKeepalive(Keepalive k, long nowMs) {
        Integer i = peerIndex.get(k.name());
        if (i == null) {
            strangers++;
            return Action.NONE;
        }
        if (k.seq() <= lastSeq[i]) {
            replays++;
            return Action.NONE;
        }
        lastSeq[i] = k.seq();
        lastHeard[i] = nowMs;
        maxEpoch = Math.max(maxEpoch, k.epoch());
        if (!k.holding()) {
            return Action.NONE;
        }
        lastHolderHeard = Math.max(lastHolderHeard, nowMs);
        heardHolder = true;
        if (leader == null || outranks(k, leader.epoch(), leader.priority(), leader.name())) {
            leader = k;
        }
        if (holding && outranks(k, epoch, role.priority(), name)) {
            holding = false;
            reason = "member " + k.name() + " holds epoch " + k.epoch() + ", which outranks this member's " + epoch;
            return Action.RELEASE;
        }
        return Action.NONE;
    }

    /** Does the holder of {@code k} outrank one of that epoch, priority and name? */
    private static boolean outranks(Keepalive k, long epoch, int priority, String name) {
        if (k.epoch() != epoch) {
            return k.epoch() > epoch;
        }
        if (k.priority() != priority) {
            return k.priority() > priority;
        }
        return k.name().compareTo(name) > 0;
    }

    /**
     * Called every period and at {@link #judgementDueMillis()}: fences a holder cut from the
     * majority, lets a standby take over. A call that comes more than a period late means this
     * member itself was not running (a descheduled or paused process, counted as a stall): its
     * silence says nothing of its peers, whose keepalives may still be on their way or whose
     * senders were held back with it, so it judges nobody until it has run for a period again.
     */
    public Action onTick(long nowMs) {
        long since = nowMs - lastTick;
        lastTick = nowMs;
        if (since > 2 * periodMs) {
            stalls++;
            judgeFrom = nowMs + periodMs;
            return Action.NONE;
        }
        if (nowMs < judgeFrom) {
            return Action.NONE;
        }
        int heard = peersHeardSince(nowMs - fenceMs);
        if (heard < quorumPeers) {
            quorumSince = Long.MAX_VALUE;
        } else if (quorumSince == Long.MAX_VALUE) {
            quorumSince = nowMs;
        }
        if (holding) {
            if (heard < quorumPeers) {
                holding = false;
                reason = "heard " + heard + " of the " + quorumPeers + " peers a majority needs in " + fenceMs + " ms ("
                        + silences(nowMs) + ")";
                return Action.RELEASE;
            }
            return Action.NONE;
        }
        // a member that has just rejoined the majority has not yet had time to hear its holder
        if (role == Role.witness || heard < quorumPeers || nowMs - lastHolderHeard < takeoverMs
                || nowMs - quorumSince < takeoverMs) {
            return Action.NONE;
        }
        holding = true;
        epoch = maxEpoch + 1;
        maxEpoch = epoch;
        reason = heardHolder ? "no holder heard for " + (nowMs - lastHolderHeard) + " ms" : "no holder since start";
        return Action.ACQUIRE;
    }

    /**
     * When this member's next decision falls due if nothing more is heard: a holder's majority
     * silent for {@code misses} periods (it releases), a standby's holder silent and majority heard
     * for {@code misses + margin} periods (it acquires). The member judges then as well as on its
     * ticks, so neither waits for its next tick (up to a period later) and the fence keeps its
     * whole {@code margin}; but not before a period after this member's own stall. {@link Long#MAX_VALUE}
     * for a witness, or a standby that hears no majority (its ticks judge that).
     */
    public long judgementDueMillis() {
        if (role == Role.witness) {
            return Long.MAX_VALUE;
        }
        if (holding) {
            long[] heard = lastHeard.clone();
            Arrays.sort(heard);
            return Math.max(judgeFrom, heard[heard.length - quorumPeers] + fenceMs + 1);
        }
        if (quorumSince == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return Math.max(judgeFrom, Math.max(lastHolderHeard, quorumSince) + takeoverMs);
    }

    /** How long ago each peer was last heard, for a release's reason. */
    private String silences(long nowMs) {
        StringBuilder s = new StringBuilder();
        peerIndex.forEach((peer, i) -> s.append(s.isEmpty() ? "" : ", ").append(peer).append(' ')
                .append(lastHeard[i] < 0 ? "never heard" : "silent " + (nowMs - lastHeard[i]) + " ms"));
        return s.toString();
    }

    private int peersHeardSince(long sinceMs) {
        int n = 0;
        for (long t : lastHeard) {
            if (t >= sinceMs) {
                n++;
            }
        }
        return n;
    }

    /** What this member's keepalive carries now. */
    public Keepalive keepalive(long seq) {
        return new Keepalive(name, role.priority(), holding, holding ? epoch : maxEpoch, seq);
    }

    public boolean holding() {
        return holding;
    }

    /** The epoch held, or the highest seen when standing by. */
    public long epoch() {
        return holding ? epoch : maxEpoch;
    }

    /** The epoch of this member's last (or current) holding. */
    public long ownEpoch() {
        return epoch;
    }

    /**
     * The peer holding with the highest rank (epoch, then priority, then name) of all the holders
     * heard, never one of lower rank afterwards: a holder that lost the address and still
     * claims it (fenced late, cut one way) is never taken back, so a NAT front steers only
     * forwards. Empty until a peer holding was heard.
     */
    public Optional<Keepalive> leader() {
        return Optional.ofNullable(leader);
    }

    /** Why the last acquisition or release happened. */
    public String reason() {
        return reason;
    }

    public long periodMs() {
        return periodMs;
    }

    public long replays() {
        return replays;
    }

    /** Ticks skipped because this member itself had not run for over two periods. */
    public long stalls() {
        return stalls;
    }

    public long strangers() {
        return strangers;
    }
}
