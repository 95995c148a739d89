package dev.d2r2.migrate.live;

import dev.d2r2.migrate.live.SecureChannel.Frame;
import dev.d2r2.migrate.takeover.ServiceAddress;
import dev.d2r2.sip.server.ServerState;
import dev.d2r2.sip.server.SipServer;

import java.io.IOException;

/** The target side of a live migration (see {@link Migration}). */
public final class MigrationTarget {
    /**
     * What arrived: the server now running here (null when the migration was aborted) and why not;
     * where it served at its source ({@code host:port}, null when nothing arrived) and how many
     * {@code server-mobility} subscribers were sent its new address (0 when the address did not change).
     */
    public record Arrival(SipServer server, String reason, String movedFrom, int notified) {
        public Arrival(SipServer server, String reason) {
            this(server, reason, null, 0);
        }

        /** Whether the server serves here at another address than at its source. */
        public boolean addressChanged() throws IOException {
            return server != null && movedFrom != null && !movedFrom.equals(server.state().listen());
        }
    }

    private final ServiceAddress address;
    private final String listen;

    /**
     * @param address the service address to take with the server; null when it does not move
     * @param listen  where to bind the arriving server; null: where it was bound at the source
     */
    public MigrationTarget(ServiceAddress address, String listen) {
        this.address = address;
        this.listen = listen;
    }

    /** Receives one migration on {@code channel}; the server is running here only if it returns one. */
    public Arrival receive(SecureChannel channel) {
        try {
            return receive(channel, channel.receive());
        } catch (IOException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing arrived either way
            }
            return new Arrival(null, "the transfer failed: " + e.getMessage());
        }
    }

    /** As {@link #receive(SecureChannel)}, when the caller has read the first frame already. */
    public Arrival receive(SecureChannel channel, Frame first) {
        SipServer server = null;
        try (channel) {
            if (first.type() != Migration.STATE) {
                return new Arrival(null, "expected the state first, got " + (char) first.type());
            }
            ServerState state = Migration.read(first.payload(), ServerState.class);
            String movedFrom = state.listen();
            if (listen != null) {
                state = state.at(listen);
            }
            // bound now, paused, so that the stop-and-copy only loads the last tables into it
            try {
                server = new SipServer(state);
            } catch (IOException e) {
                channel.send(Migration.ABORT, Migration.bytes("cannot bind " + state.listen() + ": " + e.getMessage()));
                return new Arrival(null, "cannot bind " + state.listen() + ": " + e.getMessage());
            }
            server.pause();
            while (true) {
                Frame f = channel.receive();
                if (f.type() == Migration.DELTA || f.type() == Migration.FINAL) {
                    state = Migration.read(f.payload(), StateDelta.class).applyTo(state);
                    if (f.type() == Migration.FINAL) {
                        break;
                    }
                } else {
                    return new Arrival(null, "the source aborted: " + Migration.text(f.payload()));
                }
            }
            server.load(state);
            channel.send(Migration.READY, new byte[0]);
            Frame go = channel.receive();
            if (go.type() != Migration.GO) {
                return new Arrival(null, "the source aborted: " + Migration.text(go.payload()));
            }
            if (address != null) {
                address.acquire();
            }
            server.resume();
            SipServer running = server;
            server = null;
            String unheard = "";
            try {
                channel.send(Migration.DONE, new byte[0]);
            } catch (IOException e) {
                unheard = "serving, but the source did not hear so: " + e.getMessage();
            }
            return announced(running, unheard, movedFrom);
        } catch (IOException e) {
            return new Arrival(null, "the transfer failed: " + e.getMessage());
        } finally {
            if (server != null) {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // the copy is dropped either way
                }
            }
        }
    }

    /**
     * The clients follow (docs/migration.md): a server that serves at another address than at its
     * source tells its {@code server-mobility} subscribers where it is now, once it serves.
     */
    private static Arrival announced(SipServer running, String reason, String movedFrom) {
        Arrival arrival = new Arrival(running, reason, movedFrom, 0);
        try {
            return arrival.addressChanged() ? new Arrival(running, reason, movedFrom, running.announce()) : arrival;
        } catch (IOException e) {
            return new Arrival(running, (reason.isEmpty() ? "" : reason + "; ") + "the subscribers were not told: " + e.getMessage(),
                    movedFrom, 0);
        }
    }
}
