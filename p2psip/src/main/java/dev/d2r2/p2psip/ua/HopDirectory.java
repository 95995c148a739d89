package dev.d2r2.p2psip.ua;

import dev.d2r2.core.HostPort;
import dev.d2r2.p2psip.tunnel.Hop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peers of other processes found through a shared directory: each peer process writes one file
 * ({@code NAME.hops}) with a line per peer, {@code HEXKEY@HOST:PORT STORAGEHOST:PORT} (its relay as
 * a hop, and its storage-overlay node). User agents take their forwarding pool from it and peer
 * processes join the storage overlay through it. It stands in for the forwarding overlay's pool
 * until forwarding peers announce their relay there; a peer that dies leaves its line behind, and
 * the user agent's probes drop it from its pool.
 */
public final class HopDirectory {
    private static final String SUFFIX = ".hops";

    public record Entry(Hop hop, InetSocketAddress storage) {
    }

    private final Path dir;
    private final AtomicLong malformed = new AtomicLong();

    public HopDirectory(Path dir) {
        this.dir = dir;
    }

    /** Writes this process's peers as {@code name.hops}, replacing it at once (readers never see half a file). */
    public void publish(String name, List<PeerNetwork.Peer> peers) throws IOException {
        Files.createDirectories(dir);
        StringBuilder text = new StringBuilder();
        for (PeerNetwork.Peer p : peers) {
            InetSocketAddress storage = p.storage().address();
            text.append(p.relay().self().text()).append(' ').append(storage.getHostString()).append(':').append(storage.getPort())
                    .append('\n');
        }
        Path tmp = Files.createTempFile(dir, name, ".tmp");
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve(name + SUFFIX), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Every well-formed line of every {@code *.hops} file; bad lines are skipped and counted ({@link #malformed()}). */
    public List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                    if (!line.isBlank()) {
                        parse(line.strip(), entries);
                    }
                }
            }
        } catch (IOException e) {
            malformed.incrementAndGet();
        }
        return entries;
    }

    private void parse(String line, List<Entry> into) {
        int blank = line.indexOf(' ');
        try {
            if (blank < 0) {
                throw new IllegalArgumentException("no storage address");
            }
            into.add(new Entry(Hop.parse(line.substring(0, blank)), HostPort.parse(line.substring(blank + 1).strip())));
        } catch (IllegalArgumentException e) {
            malformed.incrementAndGet();
        }
    }

    /** The relays of every peer listed, the pool user agents pick their tunnels from. */
    public List<Hop> hops() {
        return entries().stream().map(Entry::hop).toList();
    }

    public List<InetSocketAddress> storageNodes() {
        return entries().stream().map(Entry::storage).toList();
    }

    /** Bad lines (or unreadable directories) met, counted at every read: the same bad line counts once per read. */
    public long malformed() {
        return malformed.get();
    }
}
