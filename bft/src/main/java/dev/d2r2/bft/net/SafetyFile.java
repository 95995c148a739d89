package dev.d2r2.bft.net;

import dev.d2r2.bft.Codec;
import dev.d2r2.bft.CodecLimits;
import dev.d2r2.bft.MalformedMessageException;
import dev.d2r2.bft.Msg;
import dev.d2r2.bft.Phase;
import dev.d2r2.bft.SafetyState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A replica's {@link SafetyState} on disk, rewritten before each vote ({@link DurableFile}: a
 * crash leaves the old state or the new one, never a mix). A file that is there but unreadable
 * stops the replica from starting: voting without it could break safety.
 *
 * <pre>
 * file = magic:8 ("d2r2bfts") version:u8 count:u8 (lastVoted:i64){count} certificate crc32c:u32
 * </pre>
 * where {@code certificate} is the lock in the {@link Codec}'s CERTIFIED encoding, and the CRC
 * covers everything before it.
 */
public final class SafetyFile {
    private static final byte[] MAGIC = "d2r2bfts".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private final DurableFile file;
    private final Codec codec = new Codec(CodecLimits.DEFAULTS);

    public SafetyFile(Path file) {
        this.file = new DurableFile(file, MAGIC);
    }

    /** The state last saved, or null when the file does not exist (a first start). */
    public SafetyState load() throws IOException {
        try {
            byte[] body = file.read();
            return body == null ? null : decode(body);
        } catch (IOException | RuntimeException | MalformedMessageException e) {
            throw new IOException(file.path() + ": not a replica's safety state (" + e.getMessage() + "); refusing to"
                    + " start, since a replica that forgot its votes could vote twice");
        }
    }

    /** Writes {@code state} durably; unchecked, as the replica cannot vote without it. */
    public void save(SafetyState state) {
        file.write(encode(state), "the replica's safety state");
    }

    private byte[] encode(SafetyState state) {
        byte[] qc = codec.encode(new Msg.Certified(state.locked()));
        long[] voted = state.lastVoted();
        ByteBuffer b = ByteBuffer.allocate(2 + 8 * voted.length + qc.length);
        b.put((byte) VERSION).put((byte) voted.length);
        for (long v : voted) {
            b.putLong(v);
        }
        return b.put(qc).array();
    }

    private SafetyState decode(byte[] body) throws MalformedMessageException {
        ByteBuffer b = ByteBuffer.wrap(body);
        int version = b.get();
        int count = b.get();
        if (version != VERSION || count != Phase.values().length) {
            throw new IllegalArgumentException("version " + version + " with " + count + " phases");
        }
        long[] voted = new long[count];
        for (int i = 0; i < count; i++) {
            voted[i] = b.getLong();
        }
        if (!(codec.decode(Arrays.copyOfRange(body, b.position(), body.length)) instanceof Msg.Certified c)) {
            throw new IllegalArgumentException("no lock certificate");
        }
        return new SafetyState(voted, c.qc());
    }
}
