package dev.d2r2.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code d2r2 scale check}: the example passes, a mistake is refused at its file:line:col. */
class ScaleCliTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    @Test
    void checkAcceptsTheExampleAndRefusesAMistakeAtItsKey() throws Exception {
        Path example = Path.of("../examples/scale/sip.yaml");
        assertThat(Main.commandLine().execute("scale", "check", example.toString())).isZero();
        assertThat(console.err()).contains("sip.yaml: ok (2 clouds, 1 types)", "sip: 1-6 instances in home");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(example).replace("largest-step: 5", "largest-step: -1"));
        assertThat(Main.commandLine().execute("scale", "check", bad.toString())).isEqualTo(2);
        assertThat(console.err()).contains(bad + ":21:5: key types.sip.largest-step: largest-step must be at least 1");
    }

    @Test
    void runWithTheKubernetesDriverRefusesWhatItCannotRunBeforeItConnects() {
        String[] run = {"scale", "run", "--types", "../examples/scale/sip.yaml", "--edge-api", "http://127.0.0.1:1",
                "--edge-token-file", dir.resolve("none").toString(), "--driver", "kubernetes"};
        assertThat(Main.commandLine().execute(run)).isEqualTo(2);
        assertThat(console.err()).contains("--driver kubernetes needs --kube-namespace CLOUD=NS");
        assertThat(Main.commandLine().execute(with(run, "--kube-namespace", "mars=x"))).isEqualTo(2);
        assertThat(console.err()).contains("--kube-namespace mars: no such cloud");
        assertThat(Main.commandLine().execute(with(run, "--kube-namespace", "home=d2r2"))).isEqualTo(2);
        assertThat(console.err()).contains("type sip has no template.image, which the kubernetes driver needs");
    }

    private static String[] with(String[] args, String... more) {
        return Stream.concat(Arrays.stream(args), Arrays.stream(more)).toArray(String[]::new);
    }
}
