package dev.d2r2.bridge.kafka;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * The {@code out} direction's position: the channel offset to resume from, in a one-line text file.
 * Each store writes a temporary file, forces it, renames it over the old one and forces the
 * directory, so after a crash the file holds either the old position or the new one, never a torn one.
 */
final class OffsetFile {
    private static final String KEY = "next-offset=";
    private final Path file;
    private final Path temp;

    OffsetFile(Path file) {
        this.file = file;
        this.temp = file.resolveSibling(file.getFileName() + ".tmp");
    }

    Path path() {
        return file;
    }

    /** The stored position, or empty on a first start. */
    OptionalLong read() throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
        if (!text.startsWith(KEY)) {
            throw new IOException(file + ":1:1: expected " + KEY + "N, found \"" + text + "\"");
        }
        try {
            long n = Long.parseLong(text.substring(KEY.length()));
            if (n < 0) {
                throw new NumberFormatException("negative");
            }
            return OptionalLong.of(n);
        } catch (NumberFormatException e) {
            throw new IOException(file + ":1:" + (KEY.length() + 1) + ": not an offset: \"" + text.substring(KEY.length()) + "\"");
        }
    }

    void store(long nextOffset) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] line = (KEY + nextOffset + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
