package dev.d2r2.app;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code d2r2 model}: the seed's figures on stdout, a plot on request, bad input refused with exit 2. */
class ModelCliTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    @Test
    void printsTheSeedsExampleAndDrawsTheOverhead() throws Exception {
        Path svg = dir.resolve("overhead.svg");
        assertThat(Main.commandLine().execute("model", "pr2", "--mu", "0.8", "--svg", svg.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("| 0.8 | 8 / 7.15 |", "8,12 → 32 (4.00)", "8,17 → 59 (7.38)");
        assertThat(Files.readString(svg)).startsWith("<svg").contains("p = 3").endsWith("</svg>\n");
        assertThat(Main.commandLine().execute("model", "replicas")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("target 0.999: 6 replicas", "target 0.99999: 10 replicas");
    }

    @Test
    void refusesWhatIsNotAProbability() {
        assertThat(Main.commandLine().execute("model", "pr2", "--mu", "1.5")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("µ is a probability in (0, 1), not 1.5");
    }
}
