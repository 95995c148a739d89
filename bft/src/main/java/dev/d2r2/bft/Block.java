package dev.d2r2.bft;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;

/**
 * A node of the HotStuff tree (paper §4.2, "Tree and branches"; Algorithm 1, "createLeaf"): a
 * batch of opaque commands chained to its parent by the parent's SHA-256 hash. The hash covers every field, so a block fetched from any
 * peer can be checked against the hash that named it. The command arrays are shared, not copied:
 * nobody may write to them once a block is built.
 */
public final class Block {
    private static final byte[] DOMAIN = {'d', '2', 'r', '2', '-', 'b', 'f', 't', '-', 'b', 'l', 'k'};
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Block::sha256);
    private static final Block GENESIS = new Block(BlockHash.wrap(new byte[BlockHash.BYTES]), 0, 0, -1, List.of());

    private final BlockHash parent;
    private final long height;
    private final long view;
    private final int proposer;
    private final List<byte[]> commands;
    private final BlockHash hash;

    public Block(BlockHash parent, long height, long view, int proposer, List<byte[]> commands) {
        this.parent = Objects.requireNonNull(parent, "parent");
        this.height = height;
        this.view = view;
        this.proposer = proposer;
        this.commands = List.copyOf(commands);
        this.hash = digest();
    }

    /** The root every replica starts from: height 0, view 0, no commands. */
    public static Block genesis() {
        return GENESIS;
    }

    public BlockHash parent() {
        return parent;
    }

    public long height() {
        return height;
    }

    public long view() {
        return view;
    }

    public int proposer() {
        return proposer;
    }

    public List<byte[]> commands() {
        return commands;
    }

    public BlockHash hash() {
        return hash;
    }

    private BlockHash digest() {
        MessageDigest md = SHA256.get();
        ByteBuffer header = ByteBuffer.allocate(BlockHash.BYTES + 8 + 8 + 4 + 4);
        parent.copyTo(header.array(), 0);
        header.position(BlockHash.BYTES);
        header.putLong(height).putLong(view).putInt(proposer).putInt(commands.size());
        md.update(DOMAIN);
        md.update(header.array());
        byte[] length = new byte[4];
        for (byte[] command : commands) {
            ByteBuffer.wrap(length).putInt(command.length);
            md.update(length);
            md.update(command);
        }
        return BlockHash.wrap(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "Block[" + hash + " h=" + height + " v=" + view + " by " + proposer + " cmds=" + commands.size() + "]";
    }
}
