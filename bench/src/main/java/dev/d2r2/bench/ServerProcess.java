package dev.d2r2.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A server under test in a process of its own (a d2r2 broker or Mosquitto), killed on close. */
final class ServerProcess implements AutoCloseable {
    final Process process;

    ServerProcess(List<String> command, Path log) throws IOException {
        this.process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** The d2r2 launcher, as users run it (extra JVM options through D2R2_JAVA_OPTS). */
    static List<String> d2r2(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of("bin", "d2r2").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** CPU seconds the process and its children have used so far. */
    double cpuSeconds() {
        return tree().mapToDouble(h -> h.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0)).sum();
    }
    /**
     * CPU seconds HotSpot's JIT compiler threads of the process and its children have used so far
     * (0 for a process that is not a JVM): a one-time cost of a JVM's first minutes, shown apart from
     * the steady cost of its work.
     */
    double compilerCpuSeconds() {
        return tree().mapToDouble(h -> ProcTasks.cpuSeconds(h.pid(), name -> name.startsWith("C1 CompilerThre")
                || name.startsWith("C2 CompilerThre"))).sum();
    }

    /** The process and its children. */
    private java.util.stream.Stream<ProcessHandle> tree() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(process.toHandle()), process.descendants());
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
