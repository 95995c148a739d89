package dev.d2r2.bft.net;

import dev.d2r2.bft.Block;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A durable application for the process tests: the commands taken, in order, and the height they
 * reach, rewritten whole (to a temporary file, renamed over) before {@link #decided} returns.
 *
 * <pre>
 * file = height:i64 (length:i32 bytes)*      the snapshot is the same without the height
 * </pre>
 */
final class FileApplication implements BftNode.Application {
    private final Path file;
    private final BftNode.Decisions printer;
    private final List<byte[]> commands = new ArrayList<>();
    private long height;

    FileApplication(Path file, BftNode.Decisions printer) throws IOException {
        this.file = file;
        this.printer = printer;
        if (Files.exists(file)) {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
            height = b.getLong();
            read(b);
        }
    }

    private void read(ByteBuffer b) {
        commands.clear();
        while (b.hasRemaining()) {
            byte[] c = new byte[b.getInt()];
            b.get(c);
            commands.add(c);
        }
    }

    @Override
    public synchronized void decided(Block block, List<byte[]> taken) {
        commands.addAll(taken);
        height = block.height();
        save();
        printer.decided(block, taken);
    }

    @Override
    public synchronized long appliedHeight() {
        return height;
    }

    @Override
    public synchronized byte[] snapshot() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] c : commands) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(c.length).array());
            out.writeBytes(c);
        }
        return out.toByteArray();
    }

    @Override
    public synchronized void install(long height, byte[] state) {
        read(ByteBuffer.wrap(state));
        this.height = height;
        save();
    }

    private void save() {
        byte[] state = snapshot();
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(temporary, ByteBuffer.allocate(8 + state.length).putLong(height).put(state).array());
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "app=HEIGHT commands=N distinct=N digest=HEX": what the tests compare between replicas. */
    synchronized String describe() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(snapshot());
            long distinct = commands.stream().map(c -> new String(c, StandardCharsets.UTF_8)).distinct().count();
            return "app=" + height + " commands=" + commands.size() + " distinct=" + distinct + " digest="
                    + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
