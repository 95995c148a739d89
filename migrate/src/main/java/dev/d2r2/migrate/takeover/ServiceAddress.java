package dev.d2r2.migrate.takeover;

import java.io.IOException;

/** The address a takeover group keeps reachable: added and announced by the holder, removed when it lets go. */
public interface ServiceAddress {
    /** Adds the address (idempotent) and announces it to the segment. */
    void acquire() throws IOException;

    /** Removes the address; removing an absent address is not an error. */
    void release() throws IOException;

    /** The address with its prefix, for events. */
    String address();

    String iface();
}
