package dev.d2r2.tunnel.wire;

/**
 * The anti-replay window of one sender's frames (RFC 6479): a ring of {@value #BLOCKS} 64-bit
 * blocks holding which of the last {@value #SIZE} sequence numbers were seen. A frame is accepted
 * once, if its number is new and not older than the window; a higher number slides the window,
 * clearing only the blocks it passes. The 32-bit GRE sequence number is read as the one nearest
 * to the highest seen, so the counter may wrap.
 *
 * <p>A sender restarts its counter when it restarts, which an unkeyed window cannot tell from a
 * replay. As RFC 5880 §6.8.1 does for BFD's authentication sequence, the window therefore starts
 * over after {@code forgetAfterNanos} without an accepted frame: the first frame after such a
 * silence sets it. Replays are refused while the sender is live, which is while its session is
 * Up. One thread calls {@link #accept}; nothing allocates.
 */
public final class ReplayWindow {
    static final int BLOCKS = 32;
    /** The sequence numbers up to the highest seen that are remembered: one block is the slack of sliding. */
    public static final int SIZE = (BLOCKS - 1) * Long.SIZE;

    private final long[] bitmap = new long[BLOCKS];
    private final long forgetAfterNanos;
    private boolean started;
    private long top;
    private long lastAcceptedAt;

    public ReplayWindow(long forgetAfterNanos) {
        if (forgetAfterNanos <= 0) {
            throw new IllegalArgumentException("the window's silence must be positive");
        }
        this.forgetAfterNanos = forgetAfterNanos;
    }

    /** Whether a frame numbered {@code sequence}, authenticated and received at {@code nowNanos}, is new; records it if so. */
    public boolean accept(int sequence, long nowNanos) {
        if (!started || nowNanos - lastAcceptedAt > forgetAfterNanos) {
            restart(sequence);
        }
        long seq = top + (sequence - (int) top);
        if (seq <= top - SIZE) {
            return false;
        }
        long block = seq >> 6;
        if (seq > top) {
            long passed = Math.min(block - (top >> 6), BLOCKS);
            for (long i = 1; i <= passed; i++) {
                bitmap[(int) Math.floorMod((top >> 6) + i, (long) BLOCKS)] = 0;
            }
            top = seq;
        }
        int slot = (int) Math.floorMod(block, (long) BLOCKS);
        long bit = 1L << (seq & 63);
        if ((bitmap[slot] & bit) != 0) {
            return false;
        }
        bitmap[slot] |= bit;
        lastAcceptedAt = nowNanos;
        return true;
    }

    private void restart(int sequence) {
        java.util.Arrays.fill(bitmap, 0);
        started = true;
        top = (1L << 32) + (sequence & 0xffffffffL);
    }
}
