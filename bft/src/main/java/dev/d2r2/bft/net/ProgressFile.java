package dev.d2r2.bft.net;

import dev.d2r2.bft.BlockHash;
import dev.d2r2.bft.Progress;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A replica's {@link Progress} on disk, rewritten after the application took each decided block
 * ({@link DurableFile}). A crash between the application's write and this one leaves the file a
 * block behind the application, which {@link dev.d2r2.bft.Replica#resume} allows for; a damaged
 * file stops the start, since the record of applied commands is what keeps a command from being
 * applied twice.
 *
 * <pre>
 * file = magic:8 ("d2r2bftp") version:u8 height:i64 hash:32 length:i32 applied crc32c:u32
 * </pre>
 */
public final class ProgressFile {
    private static final byte[] MAGIC = "d2r2bftp".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private final DurableFile file;

    public ProgressFile(Path file) {
        this.file = new DurableFile(file, MAGIC);
    }

    /** Where the node keeps the progress of the replica whose safety state is in {@code safetyFile}. */
    public static Path beside(Path safetyFile) {
        return safetyFile.toAbsolutePath().resolveSibling(safetyFile.getFileName() + ".progress");
    }

    /** The progress last saved, or null when the file does not exist (nothing applied yet). */
    public Progress load() throws IOException {
        try {
            byte[] body = file.read();
            return body == null ? null : decode(body);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file.path() + ": not a replica's progress (" + e.getMessage() + "); refusing to"
                    + " start, since without it decided commands could be applied twice");
        }
    }

    public void save(Progress progress) {
        byte[] hash = new byte[BlockHash.BYTES];
        progress.block().copyTo(hash, 0);
        byte[] applied = progress.applied();
        file.write(ByteBuffer.allocate(1 + 8 + BlockHash.BYTES + 4 + applied.length).put((byte) VERSION)
                .putLong(progress.height()).put(hash).putInt(applied.length).put(applied).array(), "the replica's progress");
    }

    private static Progress decode(byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body);
        try {
            int version = b.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("version " + version);
            }
            long height = b.getLong();
            byte[] hash = new byte[BlockHash.BYTES];
            b.get(hash);
            int length = b.getInt();
            if (length != b.remaining()) {
                throw new IllegalArgumentException(length + " bytes of applied record, " + b.remaining() + " left");
            }
            byte[] applied = new byte[length];
            b.get(applied);
            return new Progress(height, BlockHash.wrap(hash), applied);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated");
        }
    }
}
