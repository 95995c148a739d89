package dev.d2r2.app.cli;

import dev.d2r2.app.demo.Demo;
import dev.d2r2.app.demo.Report;
import dev.d2r2.core.Directories;
import dev.d2r2.core.Durations;
import dev.d2r2.core.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code d2r2 demo}: the whole loop on the embedded default, with a live timeline, the dashboard and a report. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the embedded default: an edge, three SIP servers, monitoring, the broker on three replicas, flooding"
                + " chronicles, a remediation policy and legitimate callers; an INVITE flood during which the broker's leader is"
                + " killed, then a server crash; a live timeline here and on the dashboard; a resilience report at the end (exit 1"
                + " when a floor is missed).")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "60s", description = "How long the story takes (${DEFAULT-VALUE}, at least 30s)")
    String duration;

    @Option(names = "--headless", description = "Do not open a browser on the dashboard (for CI)")
    boolean headless;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the report as JSON here")
    Path reportFile;

    @Option(names = "--keep", description = "Keep the demo's directory (configuration, broker data, audit trail)")
    boolean keep;

    @Option(names = "--dir", paramLabel = "DIR", description = "Run in DIR (created if need be), record the loop's channels and keep it all:"
            + " the recording to replay with d2r2 replay --config DIR/node.yaml (on the lone embedded broker, not on replicas)")
    Path runIn;

    @Override
    public Integer call() throws Exception {
        Demo.Options options = Demo.Options.of(Durations.parse(duration));
        Path dir = runIn != null ? Files.createDirectories(runIn) : Files.createTempDirectory("d2r2-demo");
        try {
            Demo demo = new Demo(options, dir, System.out, runIn != null);
            Report report = demo.run(node -> {
                var at = node.dashboard().address();
                String url = "http://" + at.getHostString() + ":" + at.getPort() + "/";
                System.out.println("d2r2 demo: " + Durations.format(options.duration()) + " in " + dir + "; dashboard on " + url);
                if (!headless) {
                    openBrowser(url);
                }
            });
            System.out.print(report.summary());
            if (reportFile != null) {
                ConfigLoader.json().writerWithDefaultPrettyPrinter().writeValue(reportFile.toFile(), report);
                System.out.println("report written to " + reportFile);
            }
            return report.floorsMet() ? 0 : CliErrors.RUNTIME_FAILURE;
        } finally {
            if (!keep && runIn == null) {
                try {
                    Directories.deleteTree(dir);
                } catch (IOException e) {
                    System.err.println("d2r2 demo: could not delete " + dir + ": " + e.getMessage());
                }
            }
        }
    }

    /** Opens the dashboard in the desktop's browser, when there is a desktop. */
    private static void openBrowser(String url) {
        if (System.getenv("DISPLAY") == null && System.getenv("WAYLAND_DISPLAY") == null) {
            System.out.println("d2r2 demo: no desktop here; open " + url + " in a browser");
            return;
        }
        try {
            new ProcessBuilder("xdg-open", url).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            System.out.println("d2r2 demo: could not open a browser (" + e.getMessage() + "); open " + url);
        }
    }
}
