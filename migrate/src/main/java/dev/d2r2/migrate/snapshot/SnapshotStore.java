package dev.d2r2.migrate.snapshot;

import dev.d2r2.core.files.PrivateFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The snapshots a keeper holds, per host: {@code DIR/HOST/snapshot-TAKEN.snap}, the last
 * {@code keep} of each host. A file is a header line {@code d2r2-snapshot 1 LENGTH SHA256} then
 * the payload, written with {@link PrivateFiles#replace} (0600, atomic): a crash leaves the whole
 * file or none, and a file altered or cut afterwards fails its length or digest and is refused.
 */
public final class SnapshotStore {
    private static final String MAGIC = "d2r2-snapshot 1 ";
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern FILE = Pattern.compile("snapshot-(\\d{20})\\.snap");
    private static final int MAX_HEADER = 128;

    /** A snapshot read back: its file, when it was taken (epoch ms) and its payload. */
    public record Snapshot(Path file, long takenAt, byte[] payload) {
    }

    private final Path dir;
    private final int keep;

    public SnapshotStore(Path dir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least 1 snapshot, not " + keep);
        }
        this.dir = dir;
        this.keep = keep;
    }

    /** A host name as a directory name, or an exception saying why it cannot be one. */
    public static String checkHost(String host) {
        if (host == null || !HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("not a host name for a snapshot: " + host);
        }
        return host;
    }

    /** Stores {@code payload} as {@code host}'s snapshot taken at {@code takenAt}, then drops all but the last {@code keep}. */
    public Path put(String host, long takenAt, byte[] payload) throws IOException {
        if (takenAt < 0) {
            throw new IllegalArgumentException("a snapshot's time cannot be negative: " + takenAt);
        }
        Path hostDir = PrivateFiles.directory(dir.resolve(checkHost(host)));
        byte[] header = (MAGIC + payload.length + " " + HexFormat.of().formatHex(sha256(payload)) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] content = new byte[header.length + payload.length];
        System.arraycopy(header, 0, content, 0, header.length);
        System.arraycopy(payload, 0, content, header.length, payload.length);
        Path file = hostDir.resolve("snapshot-%020d.snap".formatted(takenAt));
        PrivateFiles.replace(file, content);
        List<Path> all = files(host);
        for (Path old : all.subList(0, Math.max(0, all.size() - keep))) {
            Files.deleteIfExists(old);
        }
        return file;
    }

    /** {@code host}'s snapshot files, oldest first. */
    public List<Path> files(String host) throws IOException {
        Path hostDir = dir.resolve(checkHost(host));
        if (!Files.isDirectory(hostDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(hostDir)) {
            return s.filter(p -> FILE.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
    }

    /** The newest snapshot of {@code host} that reads back whole; each one refused on the way is told to {@code refused}. */
    public Snapshot newest(String host, Consumer<String> refused) throws IOException {
        List<Path> all = new ArrayList<>(files(host));
        for (Path file : all.reversed()) {
            try {
                return read(file);
            } catch (CorruptSnapshotException e) {
                refused.accept(e.getMessage());
            }
        }
        return null;
    }

    /** Reads one snapshot file; a {@link CorruptSnapshotException} when it is cut short, altered or not a snapshot. */
    public static Snapshot read(Path file) throws IOException {
        var m = FILE.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new CorruptSnapshotException(file, "not a snapshot file name (snapshot-TAKEN.snap)");
        }
        byte[] content = Files.readAllBytes(file);
        int newline = -1;
        for (int i = 0; i < Math.min(content.length, MAX_HEADER); i++) {
            if (content[i] == '\n') {
                newline = i;
                break;
            }
        }
        if (newline < 0) {
            throw new CorruptSnapshotException(file, "no header line (empty, cut short or not a snapshot)");
        }
        String header = new String(content, 0, newline, StandardCharsets.US_ASCII);
        if (!header.startsWith(MAGIC)) {
            throw new CorruptSnapshotException(file, "the header is not \"" + MAGIC.strip() + " LENGTH SHA256\"");
        }
        String[] fields = header.substring(MAGIC.length()).split(" ");
        long length;
        byte[] digest;
        try {
            length = Long.parseLong(fields[0]);
            digest = HexFormat.of().parseHex(fields[1]);
        } catch (RuntimeException e) {
            throw new CorruptSnapshotException(file, "unreadable header: " + header);
        }
        if (fields.length != 2 || length < 0 || digest.length != 32) {
            throw new CorruptSnapshotException(file, "unreadable header: " + header);
        }
        long actual = content.length - newline - 1L;
        if (actual != length) {
            throw new CorruptSnapshotException(file, "truncated or padded: " + actual + " bytes of payload, the header says " + length);
        }
        byte[] payload = java.util.Arrays.copyOfRange(content, newline + 1, content.length);
        if (!MessageDigest.isEqual(sha256(payload), digest)) {
            throw new CorruptSnapshotException(file, "its SHA-256 does not match the header: the payload was altered");
        }
        return new Snapshot(file, Long.parseLong(m.group(1)), payload);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
