package dev.d2r2.app;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code d2r2} processes run from the test's class path, each one's standard error in a file of the
 * test's directory, all stopped after each test
 * ({@code @RegisterExtension final D2r2Processes processes = new D2r2Processes(() -> dir);}, {@code dir}
 * the test's {@code @TempDir}, read when a process starts).
 */
final class D2r2Processes implements AfterEachCallback {
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final int STDERR_LINES = 40;
    private final Supplier<Path> dir;
    private final List<Process> processes = new ArrayList<>();

    D2r2Processes(Supplier<Path> dir) {
        this.dir = dir;
    }

    /** Starts {@code d2r2 args...}; its standard error goes to {@code stderr-NAME}. */
    Process start(String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(dir.get().resolve("stderr-" + name).toFile()).start();
        processes.add(p);
        return p;
    }

    /** Starts {@code d2r2 migrate host} with {@code yaml} as its configuration; each event it prints goes to {@code events}. */
    Process migrateHost(String name, String yaml, Consumer<Event> events) throws IOException {
        Path file = dir.get().resolve(name + ".yaml");
        Files.writeString(file, yaml);
        Process p = start(name, "migrate", "host", "--config", file.toString());
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    events.accept(EventCodec.decode(line));
                }
            } catch (Exception ignored) {
                // the process ended
            }
        });
        return p;
    }

    /**
     * A loopback port free now and not handed out before in this JVM: a test that takes several before
     * its processes bind them could otherwise get one twice (the kernel may give a just-closed port
     * again), and the process that binds second fails to start.
     */
    static int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }

    /** Stops every process; when the test failed, prints the end of each one's standard error first. */
    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        if (context.getExecutionException().isPresent()) {
            printStandardErrors();
        }
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private void printStandardErrors() {
        try (var files = Files.list(dir.get())) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("stderr-")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                System.err.println("--- " + f.getFileName() + " (last " + Math.min(lines.size(), STDERR_LINES) + " of "
                        + lines.size() + " lines)");
                lines.subList(Math.max(0, lines.size() - STDERR_LINES), lines.size()).forEach(System.err::println);
            }
        } catch (IOException e) {
            System.err.println("the processes' standard errors could not be read: " + e);
        }
    }
}
