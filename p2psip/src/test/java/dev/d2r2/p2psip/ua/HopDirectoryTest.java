package dev.d2r2.p2psip.ua;

import dev.d2r2.p2psip.tunnel.Hop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared hop directory: every well-formed line of every {@code *.hops} file, bad lines skipped and counted. */
class HopDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void hopsRoundTripAndBadLinesAreSkippedAndCounted() throws Exception {
        Hop hop = new Hop(HexFormat.of().parseHex("11".repeat(32)), new InetSocketAddress("127.0.0.1", 4001));
        assertThat(Hop.parse(hop.text())).isEqualTo(hop);
        Files.writeString(dir.resolve("a.hops"), hop.text() + " 127.0.0.1:5001\n\n"
                + "22".repeat(31) + "@127.0.0.1:4002 127.0.0.1:5002\n"   // a short key
                + "33".repeat(32) + "@127.0.0.1:99999 127.0.0.1:5003\n"  // a bad port
                + "44".repeat(32) + "@127.0.0.1:4004\n");               // no storage address
        Files.writeString(dir.resolve("b.hops"), "55".repeat(32) + "@127.0.0.1:4005 127.0.0.1:5005\n");
        Files.writeString(dir.resolve("c.txt"), "66".repeat(32) + "@127.0.0.1:4006 127.0.0.1:5006\n");

        HopDirectory directory = new HopDirectory(dir);

        assertThat(directory.hops()).hasSize(2).contains(hop);
        assertThat(directory.storageNodes()).containsExactlyInAnyOrder(new InetSocketAddress("127.0.0.1", 5001),
                new InetSocketAddress("127.0.0.1", 5005));
        assertThat(directory.malformed()).isEqualTo(2 * 3);
    }

    @Test
    void aHopThatIsNotKeyAtHostPortIsRefusedWithItsReason() {
        assertThatThrownBy(() -> Hop.parse("nothex@127.0.0.1:1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HEXKEY@HOST:PORT");
        assertThatThrownBy(() -> Hop.parse("zz".repeat(32) + "@127.0.0.1:1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hop.parse("11".repeat(32) + "@127.0.0.1:0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1–65535");
    }
}
