package dev.d2r2.p2psip.tunnel;

import dev.d2r2.core.Clock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The few peers a user lets next to it in its inbound tunnels. The seed (§3.1) shows that the hop
 * adjacent to the user can de-anonymise it by crawling the DHT; with a fixed set of g guards an
 * attacker gets that position with probability g/n once, instead of eventually as tunnels are
 * rebuilt through fresh random peers. So the guards are kept apart from the forwarding pool, as Tor
 * keeps its own: chosen once from the pool, they stay whatever later refreshes of the pool return
 * (in a large overlay a refresh returns other peers almost every time), and a guard is replaced only
 * when it {@link #departed} (no longer accepts connections) or its lifetime ended — each guard gets a
 * random lifetime between one and two {@code lifetime}s (Tor: 30–60 days), so they do not all rotate
 * at once. With a file, the guards outlive the process: a restarted agent keeps them.
 */
public final class EntryGuards {
    public static final int DEFAULT_COUNT = 3;
    public static final Duration DEFAULT_LIFETIME = Duration.ofDays(30);

    private record Guard(Hop hop, long expiresAtMillis) {
        String line() {
            return hop.text() + " " + expiresAtMillis;
        }
    }

    private final int count;
    private final Random random;
    private final Clock clock;
    private final long lifetimeMillis;
    private final Path file;
    private final List<Guard> guards = new ArrayList<>();
    private long saveFailures;

    /** Guards kept in memory only, for the default lifetime. */
    public EntryGuards(int count, Random random) {
        this(count, random, Clock.system(), DEFAULT_LIFETIME, null);
    }

    private EntryGuards(int count, Random random, Clock clock, Duration lifetime, Path file) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one entry guard, not " + count);
        }
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("an entry guard's lifetime must be positive, not " + lifetime);
        }
        this.count = count;
        this.random = random;
        this.clock = clock;
        this.lifetimeMillis = lifetime.toMillis();
        this.file = file;
    }

    /**
     * Guards kept in {@code file} (created, readable by its owner only, when the first are chosen): the guards it holds
     * are used as they are, one line each, {@code HEXKEY@HOST:PORT EXPIRES_MS}.
     *
     * @throws IllegalArgumentException naming {@code file:line} if a line is not a guard
     */
    public static EntryGuards persisted(int count, Random random, Clock clock, Duration lifetime, Path file) throws IOException {
        EntryGuards g = new EntryGuards(count, random, clock, lifetime, file);
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                g.guards.add(parse(line, file + ":" + (i + 1)));
            }
        }
        return g;
    }

    private static Guard parse(String line, String where) {
        String[] fields = line.split("\\s+");
        if (fields.length != 2) {
            throw new IllegalArgumentException(where + ": a guard is HEXKEY@HOST:PORT EXPIRES_MS, not " + line);
        }
        try {
            return new Guard(Hop.parse(fields[0]), Long.parseLong(fields[1]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * The current guards: those kept (whether or not {@code pool} still holds them) whose lifetime has not ended, topped
     * up to the count from {@code pool} at random.
     */
    public synchronized List<Hop> current(List<Hop> pool) {
        long now = clock.millis();
        boolean changed = guards.removeIf(g -> g.expiresAtMillis() <= now);
        List<Hop> candidates = new ArrayList<>(pool);
        candidates.removeIf(h -> guards.stream().anyMatch(g -> g.hop().sameKey(h.publicKey())));
        Collections.shuffle(candidates, random);
        for (int i = 0; guards.size() < count && i < candidates.size(); i++) {
            guards.add(new Guard(candidates.get(i), now + lifetimeMillis + (long) (random.nextDouble() * lifetimeMillis)));
            changed = true;
        }
        if (changed) {
            save();
        }
        return guards.stream().map(Guard::hop).toList();
    }

    /** A guard that no longer accepts connections (it left the overlay): replaced at the next pick. */
    public synchronized void departed(Hop hop) {
        if (guards.removeIf(g -> g.hop().equals(hop))) {
            save();
        }
    }

    /** Times the guards could not be written to their file (they are kept in memory meanwhile). */
    public synchronized long saveFailures() {
        return saveFailures;
    }

    private void save() {
        if (file == null) {
            return;
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, ".guards", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, guards.stream().map(Guard::line).toList(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            saveFailures++;
        }
    }
}
