package dev.d2r2.bft.net;

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
 * A small file replaced whole and durably: written to {@code FILE.tmp}, synced, renamed over
 * {@code FILE} and the directory synced, so that a crash leaves the old content or the new one,
 * never a mix. The content is framed as {@code magic body crc32c:u32}, the CRC over what precedes it.
 */
final class DurableFile {
    private final Path file;
    private final Path temporary;
    private final byte[] magic;

    DurableFile(Path file, byte[] magic) {
        this.file = file.toAbsolutePath();
        this.temporary = this.file.resolveSibling(this.file.getFileName() + ".tmp");
        this.magic = magic.clone();
    }

    Path path() {
        return file;
    }

    /** The body last written, or null when the file does not exist; an IOException naming the file when damaged. */
    byte[] read() throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        int body = bytes.length - 4;
        if (body < magic.length || !Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length)) {
            throw new IOException(file + ": no magic");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, body);
        if (ByteBuffer.wrap(bytes).getInt(body) != (int) crc.getValue()) {
            throw new IOException(file + ": checksum mismatch");
        }
        return Arrays.copyOfRange(bytes, magic.length, body);
    }

    /** Replaces the file's body durably; unchecked, since its writers cannot go on without it. */
    void write(byte[] body, String what) {
        ByteBuffer b = ByteBuffer.allocate(magic.length + body.length + 4).put(magic).put(body);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue()).flip();
        try {
            try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
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
            throw new UncheckedIOException(file + ": cannot save " + what, e);
        }
    }
}
