package dev.d2r2.broker.wire;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP socket whose input is buffered, for TLS to be layered over it: the JDK's {@code SSLSocket}
 * reads each record's 5-byte header and its body in two reads from the socket beneath, so over
 * a plain socket every record costs two system calls; over this one, a read fetches many records.
 */
public final class BufferedSocket extends Socket {
    private static final int BUFFER_BYTES = 32 * 1024;
    private InputStream in;

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (in == null) {
            in = new BufferedInputStream(super.getInputStream(), BUFFER_BYTES);
        }
        return in;
    }

    /** A listening socket whose accepted connections are {@link BufferedSocket}s. */
    public static ServerSocket listener() throws IOException {
        return new ServerSocket() {
            @Override
            public Socket accept() throws IOException {
                Socket s = new BufferedSocket();
                implAccept(s);
                return s;
            }
        };
    }
}
