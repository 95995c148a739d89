package dev.d2r2.sip.edge;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Real peers (SIPp, Kamailio) for the tests: ports, runs with their output in a file, resources they read. */
final class Processes {
    private Processes() {
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code cmd} in {@code dir}, its output in {@code dir/name.out}. */
    static Process start(Path dir, String name, List<String> cmd) throws IOException {
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile()).start();
    }

    /** A test resource ({@code /sipp/uac-routes.xml}) copied into {@code dir}, for a program to read. */
    static Path resource(Path dir, String name) throws IOException {
        Path p = dir.resolve(Path.of(name).getFileName());
        try (InputStream in = Processes.class.getResourceAsStream(name)) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }
}
