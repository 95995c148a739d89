package dev.d2r2.tunnel.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A tunnel role in its own JVM inside a namespace ({@code ip netns exec}), its stdout lines collected: a
 * {@link TunnelMain}, or (from other modules' tests) any main class of the test's class path.
 */
public final class NodeProcess implements AutoCloseable {
    private final Process process;
    public final List<String> lines = new CopyOnWriteArrayList<>();

    private NodeProcess(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().name("node-out-" + process.pid()).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
    }

    static NodeProcess start(String namespace, String role, Path config, Path log) throws IOException {
        return run(namespace, log, TunnelMain.class.getName(), role, config.toString());
    }

    /** Runs {@code mainClass args} in {@code namespace}, its standard error appended to {@code log}. */
    public static NodeProcess run(String namespace, Path log, String mainClass, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, java, "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-Xmx128m", "-Xshare:auto", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new NodeProcess(pb.start());
    }

    public boolean printed(Predicate<String> line) {
        return lines.stream().anyMatch(line);
    }

    public long count(Predicate<String> line) {
        return lines.stream().filter(line).count();
    }

    public void signal(String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
