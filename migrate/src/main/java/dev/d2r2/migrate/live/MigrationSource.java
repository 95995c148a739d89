package dev.d2r2.migrate.live;

import dev.d2r2.core.Clock;
import dev.d2r2.migrate.live.SecureChannel.Frame;
import dev.d2r2.migrate.takeover.ServiceAddress;
import dev.d2r2.sip.server.ServerState;
import dev.d2r2.sip.server.SipServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** The source side of a live migration (see {@link Migration}); it leaves exactly one live copy. */
public final class MigrationSource {
    private final SipServer server;
    private final ServiceAddress address;
    private final byte[] key;
    private final Migration.Settings settings;
    private final Clock clock;

    /** @param address the service address that moves with the server; null when it does not */
    public MigrationSource(SipServer server, ServiceAddress address, byte[] key, Migration.Settings settings, Clock clock) {
        this.server = server;
        this.address = address;
        this.key = key;
        this.settings = settings;
        this.clock = clock;
    }

    /** Moves the server to the target listening at {@code target}; on {@code moved} the caller closes its server. */
    public MigrationReport migrateTo(InetSocketAddress target) throws InterruptedException {
        long start = clock.nanos();
        int rounds = 0;
        long entries = 0;
        int timeout = (int) settings.answerTimeout().toMillis();
        SecureChannel channel;
        try {
            Socket socket = new Socket();
            socket.connect(target, timeout);
            channel = SecureChannel.connect(socket, key);
            channel.setTimeout(timeout);
        } catch (IOException e) {
            return aborted(0, 0, start, "cannot reach the target " + target + ": " + e.getMessage());
        }
        try (channel) {
            ServerState sent = server.state();
            channel.send(Migration.STATE, Migration.write(sent));
            entries += size(sent);
            while (rounds < settings.maxRounds()) {
                Thread.sleep(settings.roundPause());
                ServerState now = server.state();
                StateDelta delta = StateDelta.between(sent, now);
                channel.send(Migration.DELTA, Migration.write(delta));
                rounds++;
                entries += delta.size();
                sent = now;
                if (delta.size() < settings.stopBelow()) {
                    break;
                }
            }
            long paused = clock.nanos();
            server.pause();
            StateDelta last = StateDelta.between(sent, server.state());
            entries += last.size();
            Frame ready;
            try {
                channel.send(Migration.FINAL, Migration.write(last));
                ready = channel.receive();
            } catch (IOException e) {
                server.resume();
                return aborted(rounds, entries, start, "the target failed before it was ready: " + e.getMessage());
            }
            if (ready.type() != Migration.READY) {
                server.resume();
                return aborted(rounds, entries, start, "the target refused: " + Migration.text(ready.payload()));
            }
            long readyAt = clock.nanos();
            try {
                if (address != null) {
                    address.release();
                }
            } catch (IOException e) {
                channel.send(Migration.ABORT, Migration.bytes("the source could not release the address: " + e.getMessage()));
                server.resume();
                return aborted(rounds, entries, start, "could not release the address: " + e.getMessage());
            }
            channel.send(Migration.GO, new byte[0]);
            Frame done;
            try {
                done = channel.receive();
            } catch (IOException e) {
                return new MigrationReport(MigrationReport.UNCONFIRMED, rounds, entries, ms(paused - start), ms(readyAt - paused), -1,
                        -1, "the target did not confirm: " + e.getMessage());
            }
            long doneAt = clock.nanos();
            if (done.type() != Migration.DONE) {
                return new MigrationReport(MigrationReport.UNCONFIRMED, rounds, entries, ms(paused - start), ms(readyAt - paused), -1,
                        -1, "the target answered " + (char) done.type() + ": " + Migration.text(done.payload()));
            }
            return new MigrationReport(MigrationReport.MOVED, rounds, entries, ms(paused - start), ms(readyAt - paused),
                    ms(doneAt - readyAt), ms(doneAt - paused), "");
        } catch (IOException e) {
            server.resume();
            return aborted(rounds, entries, start, "the transfer failed during pre-copy: " + e.getMessage());
        }
    }

    private MigrationReport aborted(int rounds, long entries, long start, String reason) {
        return new MigrationReport(MigrationReport.ABORTED, rounds, entries, ms(clock.nanos() - start), -1, -1, -1, reason);
    }

    private static int size(ServerState s) {
        return s.bindings().size() + s.calls().size() + s.unconfirmed().size() + s.ended().size() + s.replicas().size()
                + s.subscriptions().size();
    }

    /** Rounded up: a phase that took any time is never reported as 0 ms (on loopback the stop-and-copy takes less than 1 ms). */
    private static long ms(long nanos) {
        return (nanos + 999_999) / 1_000_000;
    }
}
