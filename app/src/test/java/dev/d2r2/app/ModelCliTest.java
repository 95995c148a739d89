package dev.d2r2.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code d2r2 model}: the seed's figures on stdout, a plot on request, bad input refused with exit 2. */
class ModelCliTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    @Test
    void printsTheSeedsExampleAndDrawsTheOverhead() throws Exception {
        Path svg = dir.resolve("overhead.svg");
        assertThat(Main.commandLine().execute("model", "pr2", "--mu", "0.8", "--svg", svg.toString())).isZero();
        assertThat(console.out()).contains("| 0.8 | 8 / 7.15 |", "8,12 → 32 (4.00)", "8,17 → 59 (7.38)");
        assertThat(Files.readString(svg)).startsWith("<svg").contains("p = 3").endsWith("</svg>\n");
        assertThat(Main.commandLine().execute("model", "replicas")).isZero();
        assertThat(console.out()).contains("target 0.999: 6 replicas", "target 0.99999: 10 replicas");
    }

    @Test
    void refusesWhatIsNotAProbability() {
        assertThat(Main.commandLine().execute("model", "pr2", "--mu", "1.5")).isEqualTo(2);
        assertThat(console.err()).contains("µ is a probability in (0, 1), not 1.5");
    }
}
