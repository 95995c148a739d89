package dev.d2r2.bft.net;

import dev.d2r2.bft.Codec;
import dev.d2r2.bft.CodecLimits;
import dev.d2r2.bft.MalformedMessageException;
import dev.d2r2.bft.Msg;
import dev.d2r2.bft.Phase;
import dev.d2r2.bft.SafetyState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A replica's {@link SafetyState} on disk, rewritten before each vote: written whole to a
 * temporary file, synced, renamed over the previous one and the directory synced, so that a
 * crash leaves the old state or the new one, never a mix. A file that is there but unreadable
 * stops the replica from starting: voting without it could break safety.
 *
 * <pre>
 * file = magic:8 ("d2r2bfts") version:u8 count:u8 (lastVoted:i64){count} certificate crc32c:u32
 * </pre>
 * where {@code certificate} is the lock in the {@link Codec}'s CERTIFIED encoding, and the CRC
 * covers everything before it.
 */
public final class SafetyFile {
    private static final byte[] MAGIC = "d2r2bfts".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private final Path file;
    private final Path temporary;
    private final Codec codec = new Codec(CodecLimits.DEFAULTS);

    public SafetyFile(Path file) {
        this.file = file.toAbsolutePath();
        this.temporary = this.file.resolveSibling(this.file.getFileName() + ".tmp");
    }

    /** The state last saved, or null when the file does not exist (a first start). */
    public SafetyState load() throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            return decode(bytes);
        } catch (RuntimeException | MalformedMessageException e) {
            throw new IOException(file + ": not a replica's safety state (" + e.getMessage() + "); refusing to start,"
                    + " since a replica that forgot its votes could vote twice");
        }
    }

    /** Writes {@code state} durably (see the class comment); unchecked, as the replica cannot vote without it. */
    public void save(SafetyState state) {
        byte[] bytes = encode(state);
        try {
            try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot save the replica's safety state", e);
        }
    }

    private byte[] encode(SafetyState state) {
        byte[] qc = codec.encode(new Msg.Certified(state.locked()));
        long[] voted = state.lastVoted();
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + 8 * voted.length + qc.length + 4);
        b.put(MAGIC).put((byte) VERSION).put((byte) voted.length);
        for (long v : voted) {
            b.putLong(v);
        }
        b.put(qc);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private SafetyState decode(byte[] bytes) throws MalformedMessageException {
        int body = bytes.length - 4;
        if (body < MAGIC.length + 2 || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IllegalArgumentException("no magic");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, body);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(body) != (int) crc.getValue()) {
            throw new IllegalArgumentException("checksum mismatch");
        }
        b.position(MAGIC.length);
        int version = b.get();
        int count = b.get();
        if (version != VERSION || count != Phase.values().length) {
            throw new IllegalArgumentException("version " + version + " with " + count + " phases");
        }
        long[] voted = new long[count];
        for (int i = 0; i < count; i++) {
            voted[i] = b.getLong();
        }
        if (!(codec.decode(Arrays.copyOfRange(bytes, b.position(), body)) instanceof Msg.Certified c)) {
            throw new IllegalArgumentException("no lock certificate");
        }
        return new SafetyState(voted, c.qc());
    }
}
