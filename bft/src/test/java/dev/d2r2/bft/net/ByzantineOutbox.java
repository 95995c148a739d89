package dev.d2r2.bft.net;

import dev.d2r2.bft.Block;
import dev.d2r2.bft.BlockHash;
import dev.d2r2.bft.Checkpoint;
import dev.d2r2.bft.Command;
import dev.d2r2.bft.Msg;
import dev.d2r2.bft.Outbox;
import dev.d2r2.bft.QuorumCert;
import dev.d2r2.bft.SafetyState;
import dev.d2r2.bft.Signatures;
import dev.d2r2.bft.Statement;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fault-injection switch of the networked tests, in test code only: it stands between a
 * replica and its links and, by the mode the test sets, lies. Its lies are signed with the
 * replica's own key (a Byzantine replica has its key), so only the protocol can refuse them.
 * Public in the test jar, for the broker's ordered-channel tests in {@code app}.
 */
public final class ByzantineOutbox implements Outbox {
    public enum Mode {
        HONEST,
        /** As leader, a different block to each half of the others; as voter, a second vote for another block. */
        EQUIVOCATE,
        /**
         * Certificates, votes and checkpoint votes with a damaged signature; proposals with a forged
         * justification; checkpoints with a state other than the certified one.
         */
        TAMPER,
        /** Sends nothing. */
        SILENT
    }

    private final int self;
    private final int n;
    private final Outbox real;
    private final Signatures signatures;
    public volatile Mode mode = Mode.HONEST;

    public ByzantineOutbox(int self, int n, Outbox real, Signatures signatures) {
        this.self = self;
        this.n = n;
        this.real = real;
        this.signatures = signatures;
    }

    @Override
    public void send(int to, Msg msg) {
        switch (mode) {
            case HONEST -> real.send(to, msg);
            case SILENT -> {
            }
            case EQUIVOCATE -> {
                real.send(to, msg);
                if (msg instanceof Msg.Vote v) {
                    Statement other = new Statement(v.statement().view(), v.statement().phase(), forgedHash(v.statement().view()));
                    real.send(to, new Msg.Vote(other, self, signatures.sign(other.bytes(new byte[Statement.BYTES]))));
                }
            }
            case TAMPER -> real.send(to, tamper(msg));
        }
    }

    @Override
    public void broadcast(Msg msg) {
        switch (mode) {
            case HONEST -> real.broadcast(msg);
            case SILENT -> {
            }
            case EQUIVOCATE -> {
                if (msg instanceof Msg.Prepare p) {
                    Block b = p.block();
                    List<byte[]> commands = new ArrayList<>(b.commands());
                    commands.add(new Command(self, p.view(), ("equivocation-" + p.view()).getBytes(StandardCharsets.UTF_8)).encode());
                    Msg other = new Msg.Prepare(p.view(), new Block(b.parent(), b.height(), b.view(), b.proposer(), commands),
                            p.justify());
                    for (int to = 0; to < n; to++) {
                        if (to != self) {
                            real.send(to, to % 2 == 0 ? msg : other);
                        }
                    }
                } else {
                    real.broadcast(msg);
                }
            }
            case TAMPER -> real.broadcast(tamper(msg));
        }
    }

    private static Msg tamper(Msg msg) {
        return switch (msg) {
            case Msg.Vote v -> new Msg.Vote(v.statement(), v.voter(), flipped(v.signature()));
            case Msg.Certified c -> new Msg.Certified(damaged(c.qc()));
            case Msg.Prepare p -> new Msg.Prepare(p.view(), p.block(), damaged(p.justify()));
            case Msg.NewView nv -> new Msg.NewView(nv.view(), damaged(nv.highQc()), nv.lastCommit());
            case Msg.CheckpointVote v -> new Msg.CheckpointVote(v.height(), v.block(), v.digest(), v.voter(),
                    flipped(v.signature()));
            case Msg.CheckpointResponse r -> new Msg.CheckpointResponse(new Checkpoint(r.checkpoint().block(),
                    r.checkpoint().applied(), forgedState(r.checkpoint().state())), r.cert());
            default -> msg;
        };
    }

    /** The state with one more byte: what a lying peer would add, an event of its own, say. */
    private static byte[] forgedState(byte[] state) {
        byte[] forged = java.util.Arrays.copyOf(state, state.length + 1);
        forged[state.length] = 0x42;
        return forged;
    }

    private static QuorumCert damaged(QuorumCert qc) {
        if (qc.signatures().length == 0) {
            return new QuorumCert(qc.view() + 1, qc.phase(), qc.block(), qc.signers(), qc.signatures());
        }
        byte[][] sigs = qc.signatures().clone();
        sigs[0] = flipped(sigs[0]);
        return new QuorumCert(qc.view(), qc.phase(), qc.block(), qc.signers(), sigs);
    }

    private static byte[] flipped(byte[] signature) {
        byte[] s = signature.clone();
        s[s.length / 2] ^= 0x20;
        return s;
    }

    private static BlockHash forgedHash(long view) {
        byte[] h = new byte[BlockHash.BYTES];
        h[0] = (byte) view;
        h[1] = 0x42;
        return BlockHash.wrap(h);
    }

    @Override
    public void deliver(Block block, List<byte[]> commands) {
        real.deliver(block, commands);
    }

    @Override
    public void persist(SafetyState state) {
        real.persist(state);
    }

    @Override
    public byte[] snapshot() {
        return real.snapshot();
    }

    @Override
    public boolean install(Checkpoint checkpoint) {
        return real.install(checkpoint);
    }

    @Override
    public void startTimer(long view, int failedViews) {
        real.startTimer(view, failedViews);
    }
}
