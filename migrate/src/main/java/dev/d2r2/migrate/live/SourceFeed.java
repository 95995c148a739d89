package dev.d2r2.migrate.live;

import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.sip.server.ServerState;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;

/**
 * The replica's side of a replica kept in step: its source's state as last heard (the mirror:
 * the start state with every {@link DeltaFrame} applied, subscriptions included) and how far
 * behind it runs. A thread of its own reads the stream and hands each frame to the host's agent;
 * when no frame came for {@code misses} periods, or the stream broke, it hands over {@link Lost}
 * once: the source is taken as failed, unless it {@code ended} the stream itself.
 */
final class SourceFeed {
    record Delta(SourceFeed feed, DeltaFrame frame, long receivedAt) {
    }

    /** @param ended the source closed the stream on purpose ({@code ABORT}): its server did not fail */
    record Lost(SourceFeed feed, String reason, boolean ended) {
    }

    private final SecureChannel channel;
    private final String host;
    private final long periodMs;
    private final int misses;
    private ServerState mirror;
    private long takenAt;
    private long lagMs;
    private long deltas;

    SourceFeed(SecureChannel channel, ReplicaOpen open, long receivedAt) {
        this.channel = channel;
        this.host = open.host();
        this.periodMs = open.periodMs();
        this.misses = open.misses();
        this.mirror = open.state();
        this.takenAt = open.takenAt();
        this.lagMs = Math.max(0, receivedAt - open.takenAt());
    }

    /** Starts the reading thread; it stops at the first {@link Lost}. */
    void start(AgentRunner runner, Clock clock) throws IOException {
        channel.setTimeout((int) Math.min(Integer.MAX_VALUE, periodMs * misses));
        Thread.ofPlatform().name("d2r2-replica-of-" + host).daemon().start(() -> read(runner, clock));
    }

    private void read(AgentRunner runner, Clock clock) {
        Lost lost;
        try {
            while (true) {
                SecureChannel.Frame f = channel.receive();
                if (f.type() == Migration.ABORT) {
                    lost = new Lost(this, "the source ended the stream: " + Migration.text(f.payload()), true);
                    break;
                }
                if (f.type() != Migration.DELTA) {
                    lost = new Lost(this, "the source sent a frame of type " + (char) f.type() + " in its stream", false);
                    break;
                }
                runner.submit(new Delta(this, Migration.read(f.payload(), DeltaFrame.class), clock.millis()));
            }
        } catch (EOFException e) {
            lost = new Lost(this, "the stream from " + host + " closed", false);
        } catch (SocketTimeoutException e) {
            lost = new Lost(this, "no delta from " + host + " for " + periodMs * misses + " ms", false);
        } catch (IOException e) {
            lost = new Lost(this, "the stream from " + host + " broke: " + e.getMessage(), false);
        } catch (InterruptedException e) {
            return;
        }
        close();
        runner.deliver(lost);
    }

    /** Applies a round to the mirror; returns the delta for the replica's own server (the subscriptions stay the source's). */
    StateDelta applied(DeltaFrame f, long receivedAt) {
        mirror = f.delta().applyTo(mirror);
        takenAt = f.takenAt();
        lagMs = Math.max(0, receivedAt - f.takenAt());
        deltas++;
        return f.delta().withoutSubscriptions();
    }

    String host() {
        return host;
    }

    /** The source's state as last heard. */
    ServerState mirror() {
        return mirror;
    }

    /** When the source took the state last heard (its clock, epoch ms). */
    long takenAt() {
        return takenAt;
    }

    /** The last round's delay, taken to received (the two hosts' clocks). */
    long lagMs() {
        return lagMs;
    }

    long deltas() {
        return deltas;
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the stream is over either way
        }
    }
}
