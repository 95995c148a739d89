package dev.d2r2.core.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Every file the broker writes holds secrets or unencrypted payloads, so it creates directories
 * 0700 and files 0600 (whatever the umask), and replaces small files atomically without leaving
 * a temporary file behind when a write fails (a full disk, say).
 */
public final class PrivateFiles {
    public static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<Set<PosixFilePermission>> DIR = PosixFilePermissions.asFileAttribute(DIR_MODE);
    private static final FileAttribute<Set<PosixFilePermission>> FILE = PosixFilePermissions.asFileAttribute(FILE_MODE);

    private PrivateFiles() {
    }

    /** Creates {@code dir} and any missing parents 0700; an existing directory is left as it is. */
    public static Path directory(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return dir;
        }
        Path parent = abs.getParent();
        if (parent != null) {
            directory(parent);
        }
        try {
            Files.createDirectory(abs, DIR);
            Files.setPosixFilePermissions(abs, DIR_MODE);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(abs)) {
                throw e;
            }
        }
        return dir;
    }

    /** Opens {@code file} with {@code options}; when they create it, it is created 0600. */
    public static FileChannel open(Path file, StandardOpenOption... options) throws IOException {
        return FileChannel.open(file, Set.of(options), FILE);
    }

    /**
     * Replaces {@code file}'s content so that a crash leaves the old or the new one; on failure
     * the temporary file is removed.
     */
    public static void replace(Path file, byte[] content) throws IOException {
        Path dir = directory(file.toAbsolutePath().getParent());
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", FILE);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
