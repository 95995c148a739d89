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

    static List<String> java(Class<?> main, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:MaxGCPauseMillis=5", "-Xlog:gc:file=/tmp/broker-gc.log", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** CPU seconds the process has used so far. */
    double cpuSeconds() {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
