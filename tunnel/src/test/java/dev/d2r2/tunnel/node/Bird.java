package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.tun.Netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A BIRD 2 daemon in a namespace, in the foreground ({@code bird -f}) so that the test owns its
 * process, with its configuration, control socket and log in the test's directory.
 */
final class Bird implements AutoCloseable {
    private final Path socket;
    private final Process process;

    private Bird(Path socket, Process process) {
        this.socket = socket;
        this.process = process;
    }

    /** Starts BIRD in {@code ns} with {@code config} written to {@code dir/name.conf}. */
    static Bird start(Netns ns, Path dir, String name, String config) throws IOException {
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, config);
        Path socket = dir.resolve(name + ".ctl");
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), "bird", "-f", "-c", conf.toString(), "-s", socket.toString(),
                "-P", dir.resolve(name + ".pid").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
        return new Bird(socket, p);
    }

    /** {@code birdc COMMAND...}'s output; empty while the daemon is not answering yet. */
    String birdc(String... command) throws IOException, InterruptedException {
        String[] all = new String[command.length + 3];
        all[0] = "birdc";
        all[1] = "-s";
        all[2] = socket.toString();
        System.arraycopy(command, 0, all, 3, command.length);
        Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? out : "";
    }

    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }
}
