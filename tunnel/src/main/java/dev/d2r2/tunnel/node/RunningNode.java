package dev.d2r2.tunnel.node;

import java.io.IOException;
import java.net.InetSocketAddress;

/** A tunnel role the CLI runs until it is stopped: an EN, a DN or a DN failure detector. */
public interface RunningNode extends AutoCloseable {
    /** The UDP address its tunnel port is bound to. */
    InetSocketAddress address();

    @Override
    void close() throws IOException, InterruptedException;
}
