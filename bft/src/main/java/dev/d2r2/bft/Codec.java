package dev.d2r2.bft;

import java.util.ArrayList;
import java.util.List;

/**
 * The deterministic binary form of every {@link Msg}: big-endian, length-prefixed, no optional
 * padding, so that one message has exactly one encoding.
 *
 * <pre>
 * message     = type:u8 body
 * NEW-VIEW  1 = view:i64 qc hasCommit:u8 [qc]
 * PREPARE   2 = view:i64 block qc
 * VOTE      3 = view:i64 phase:u8 hash:32 voter:u16 signature
 * CERTIFIED 4 = qc
 * BLOCK-REQ 5 = hash:32
 * BLOCK     6 = block
 * FORWARD   7 = count:i32 (length:i32 bytes){count}
 * CKPT-VOTE 8 = height:i64 hash:32 digest:32 voter:u16 signature
 * CKPT-REQ  9 = height:i64
 * CKPT     10 = block applied:(length:i32 bytes) state:(length:i32 bytes) ckptcert
 * qc          = view:i64 phase:u8 hash:32 count:u16 (signer:u16 signature){count}
 * signature   = length:u16 bytes
 * block       = parent:32 height:i64 view:i64 proposer:i32 count:i32 (length:i32 bytes){count}
 * ckptcert    = height:i64 hash:32 digest:32 count:u16 (signer:u16 signature){count}
 * </pre>
 *
 * Replica ids and signature lengths must fit in 16 bits, as they do for any committee.
 * {@link #decode} checks every length against the {@link CodecLimits} before allocating.
 */
public final class Codec {
    private static final int NEW_VIEW = 1;
    private static final int PREPARE = 2;
    private static final int VOTE = 3;
    private static final int CERTIFIED = 4;
    private static final int BLOCK_REQUEST = 5;
    private static final int BLOCK_RESPONSE = 6;
    private static final int FORWARD = 7;
    private static final int CHECKPOINT_VOTE = 8;
    private static final int CHECKPOINT_REQUEST = 9;
    private static final int CHECKPOINT = 10;
    private final CodecLimits limits;

    public Codec(CodecLimits limits) {
        this.limits = limits;
    }

    public byte[] encode(Msg msg) {
        Writer w = new Writer(size(msg));
        switch (msg) {
            case Msg.NewView nv -> {
                w.u8(NEW_VIEW).i64(nv.view());
                qc(w, nv.highQc());
                w.u8(nv.lastCommit() == null ? 0 : 1);
                if (nv.lastCommit() != null) {
                    qc(w, nv.lastCommit());
                }
            }
            case Msg.Prepare p -> {
                w.u8(PREPARE).i64(p.view());
                block(w, p.block());
                qc(w, p.justify());
            }
            case Msg.Vote v -> {
                w.u8(VOTE);
                statement(w, v.statement());
                w.u16(v.voter()).bytes16(v.signature());
            }
            case Msg.Certified c -> qc(w.u8(CERTIFIED), c.qc());
            case Msg.BlockRequest r -> w.u8(BLOCK_REQUEST).hash(r.hash());
            case Msg.BlockResponse r -> block(w.u8(BLOCK_RESPONSE), r.block());
            case Msg.Forward f -> commands(w.u8(FORWARD), f.commands());
            case Msg.CheckpointVote v -> w.u8(CHECKPOINT_VOTE).i64(v.height()).hash(v.block()).hash(v.digest())
                    .u16(v.voter()).bytes16(v.signature());
            case Msg.CheckpointRequest r -> w.u8(CHECKPOINT_REQUEST).i64(r.height());
            case Msg.CheckpointResponse r -> {
                block(w.u8(CHECKPOINT), r.checkpoint().block());
                w.i32(r.checkpoint().applied().length).bytes(r.checkpoint().applied());
                w.i32(r.checkpoint().state().length).bytes(r.checkpoint().state());
                checkpointCert(w, r.cert());
            }
        }
        return w.done();
    }

    public Msg decode(byte[] bytes) throws MalformedMessageException {
        Reader r = new Reader(bytes);
        int type = r.u8("type");
        Msg msg = switch (type) {
            case NEW_VIEW -> {
                long view = r.view();
                QuorumCert high = qc(r);
                yield new Msg.NewView(view, high, r.flag("hasCommit") ? qc(r) : null);
            }
            case PREPARE -> new Msg.Prepare(r.view(), block(r), qc(r));
            case VOTE -> new Msg.Vote(statement(r), r.u16("voter"), r.signature());
            case CERTIFIED -> new Msg.Certified(qc(r));
            case BLOCK_REQUEST -> new Msg.BlockRequest(r.hash());
            case BLOCK_RESPONSE -> new Msg.BlockResponse(block(r));
            case FORWARD -> new Msg.Forward(commands(r));
            case CHECKPOINT_VOTE -> new Msg.CheckpointVote(r.height(), r.hash(), r.hash(), r.u16("voter"), r.signature());
            case CHECKPOINT_REQUEST -> new Msg.CheckpointRequest(r.height());
            case CHECKPOINT -> new Msg.CheckpointResponse(
                    new Checkpoint(block(r), r.state("applied record"), r.state("state")), checkpointCert(r));
            default -> throw r.error("unknown message type " + type);
        };
        r.end();
        return msg;
    }

    private static int size(Msg msg) {
        return 1 + switch (msg) {
            case Msg.NewView nv -> 8 + size(nv.highQc()) + 1 + (nv.lastCommit() == null ? 0 : size(nv.lastCommit()));
            case Msg.Prepare p -> 8 + size(p.block()) + size(p.justify());
            case Msg.Vote v -> 8 + 1 + BlockHash.BYTES + 2 + 2 + v.signature().length;
            case Msg.Certified c -> size(c.qc());
            case Msg.BlockRequest r -> BlockHash.BYTES;
            case Msg.BlockResponse r -> size(r.block());
            case Msg.Forward f -> size(f.commands());
            case Msg.CheckpointVote v -> 8 + 2 * BlockHash.BYTES + 2 + 2 + v.signature().length;
            case Msg.CheckpointRequest r -> 8;
            case Msg.CheckpointResponse r -> size(r.checkpoint().block()) + 4 + r.checkpoint().applied().length
                    + 4 + r.checkpoint().state().length + size(r.cert());
        };
    }

    private static int size(CheckpointCert c) {
        return 8 + 2 * BlockHash.BYTES + size(c.signatures());
    }

    /** A list of signers and their signatures: count:u16 (signer:u16 signature){count}. */
    private static int size(byte[][] signatures) {
        int n = 2;
        for (byte[] s : signatures) {
            n += 2 + 2 + s.length;
        }
        return n;
    }

    private static int size(QuorumCert qc) {
        return 8 + 1 + BlockHash.BYTES + size(qc.signatures());
    }

    private static int size(Block b) {
        return BlockHash.BYTES + 8 + 8 + 4 + size(b.commands());
    }

    private static int size(List<byte[]> commands) {
        int n = 4;
        for (byte[] c : commands) {
            n += 4 + c.length;
        }
        return n;
    }

    private static void statement(Writer w, Statement s) {
        w.i64(s.view()).u8(s.phase().ordinal()).hash(s.block());
    }

    private static void qc(Writer w, QuorumCert qc) {
        statement(w, qc.statement());
        signed(w, qc.signers(), qc.signatures());
    }

    private static void signed(Writer w, int[] signers, byte[][] signatures) {
        w.u16(signers.length);
        for (int i = 0; i < signers.length; i++) {
            w.u16(signers[i]).bytes16(signatures[i]);
        }
    }

    private static void checkpointCert(Writer w, CheckpointCert c) {
        signed(w.i64(c.height()).hash(c.block()).hash(c.digest()), c.signers(), c.signatures());
    }

    private static void block(Writer w, Block b) {
        w.hash(b.parent()).i64(b.height()).i64(b.view()).i32(b.proposer());
        commands(w, b.commands());
    }

    private static void commands(Writer w, List<byte[]> commands) {
        w.i32(commands.size());
        for (byte[] c : commands) {
            w.i32(c.length).bytes(c);
        }
    }

    private Statement statement(Reader r) throws MalformedMessageException {
        long view = r.view();
        int code = r.u8("phase");
        Phase phase = Phase.fromCode(code);
        if (phase == null) {
            throw r.error("unknown phase " + code);
        }
        return new Statement(view, phase, r.hash());
    }

    private QuorumCert qc(Reader r) throws MalformedMessageException {
        Statement st = statement(r);
        Signed s = signed(r);
        return new QuorumCert(st.view(), st.phase(), st.block(), s.signers(), s.signatures());
    }

    private CheckpointCert checkpointCert(Reader r) throws MalformedMessageException {
        long height = r.height();
        BlockHash block = r.hash();
        BlockHash digest = r.hash();
        Signed s = signed(r);
        return new CheckpointCert(height, block, digest, s.signers(), s.signatures());
    }

    private record Signed(int[] signers, byte[][] signatures) {
    }

    private Signed signed(Reader r) throws MalformedMessageException {
        int count = r.u16("signer count");
        if (count > limits.maxSigners()) {
            throw r.error(count + " signers (limit " + limits.maxSigners() + ")");
        }
        int[] signers = new int[count];
        byte[][] signatures = new byte[count][];
        for (int i = 0; i < count; i++) {
            signers[i] = r.u16("signer");
            signatures[i] = r.signature();
        }
        return new Signed(signers, signatures);
    }

    private Block block(Reader r) throws MalformedMessageException {
        BlockHash parent = r.hash();
        long height = r.i64("height");
        long view = r.view();
        int proposer = r.i32("proposer");
        if (height < 0) {
            throw r.error("block of height " + height);
        }
        return new Block(parent, height, view, proposer, commands(r));
    }

    private List<byte[]> commands(Reader r) throws MalformedMessageException {
        int count = r.i32("command count");
        if (count < 0 || count > limits.maxCommands()) {
            throw r.error(count + " commands (limit " + limits.maxCommands() + ")");
        }
        List<byte[]> commands = new ArrayList<>(Math.min(count, r.remaining() / 4));
        for (int i = 0; i < count; i++) {
            int length = r.i32("command length");
            if (length < 0 || length > limits.maxCommandBytes()) {
                throw r.error("command of " + length + " bytes (limit " + limits.maxCommandBytes() + ")");
            }
            commands.add(r.bytes(length, "command"));
        }
        return commands;
    }

    private static final class Writer {
        private final byte[] buf;
        private int pos;

        Writer(int size) {
            buf = new byte[size];
        }

        Writer u8(int v) {
            buf[pos++] = (byte) v;
            return this;
        }

        Writer u16(int v) {
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) v;
            return this;
        }

        Writer i32(int v) {
            return u16(v >>> 16).u16(v);
        }

        Writer i64(long v) {
            return i32((int) (v >>> 32)).i32((int) v);
        }

        Writer bytes(byte[] b) {
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
            return this;
        }

        Writer bytes16(byte[] b) {
            return u16(b.length).bytes(b);
        }

        Writer hash(BlockHash h) {
            h.copyTo(buf, pos);
            pos += BlockHash.BYTES;
            return this;
        }

        byte[] done() {
            if (pos != buf.length) {
                throw new IllegalStateException("encoded " + pos + " bytes of " + buf.length);
            }
            return buf;
        }
    }

    private final class Reader {
        private final byte[] buf;
        private int pos;

        Reader(byte[] buf) {
            this.buf = buf;
        }

        int remaining() {
            return buf.length - pos;
        }

        MalformedMessageException error(String what) {
            return new MalformedMessageException(what + " at byte " + pos + " of " + buf.length);
        }

        private void need(int n, String field) throws MalformedMessageException {
            if (remaining() < n) {
                throw error("truncated " + field);
            }
        }

        int u8(String field) throws MalformedMessageException {
            need(1, field);
            return buf[pos++] & 0xff;
        }

        boolean flag(String field) throws MalformedMessageException {
            int v = u8(field);
            if (v > 1) {
                throw error(field + " is " + v + ", not 0 or 1");
            }
            return v == 1;
        }

        int u16(String field) throws MalformedMessageException {
            need(2, field);
            int v = (buf[pos] & 0xff) << 8 | buf[pos + 1] & 0xff;
            pos += 2;
            return v;
        }

        int i32(String field) throws MalformedMessageException {
            need(4, field);
            return u16(field) << 16 | u16(field);
        }

        long i64(String field) throws MalformedMessageException {
            need(8, field);
            return (long) i32(field) << 32 | i32(field) & 0xffffffffL;
        }

        long height() throws MalformedMessageException {
            long h = i64("height");
            if (h < 0) {
                throw error("negative height " + h);
            }
            return h;
        }

        byte[] state(String field) throws MalformedMessageException {
            int length = i32(field + " length");
            if (length < 0 || length > limits.maxStateBytes()) {
                throw error(field + " of " + length + " bytes (limit " + limits.maxStateBytes() + ")");
            }
            return bytes(length, field);
        }

        long view() throws MalformedMessageException {
            long v = i64("view");
            if (v < 0) {
                throw error("negative view " + v);
            }
            return v;
        }

        byte[] bytes(int n, String field) throws MalformedMessageException {
            need(n, field);
            byte[] b = new byte[n];
            System.arraycopy(buf, pos, b, 0, n);
            pos += n;
            return b;
        }

        byte[] signature() throws MalformedMessageException {
            int length = u16("signature length");
            if (length > limits.maxSignatureBytes()) {
                throw error("signature of " + length + " bytes (limit " + limits.maxSignatureBytes() + ")");
            }
            return bytes(length, "signature");
        }

        BlockHash hash() throws MalformedMessageException {
            return BlockHash.wrap(bytes(BlockHash.BYTES, "hash"));
        }

        void end() throws MalformedMessageException {
            if (remaining() != 0) {
                throw error(remaining() + " trailing bytes");
            }
        }
    }
}
