package dev.d2r2.migrate.takeover;

/**
 * What a member says every period: who it is, its priority, whether it holds the address and
 * under which epoch (a standby or witness sends the highest epoch it has seen), and a sequence
 * number that only grows, across restarts too, so a recorded keepalive cannot be replayed.
 */
public record Keepalive(String name, int priority, boolean holding, long epoch, long seq) {
}
