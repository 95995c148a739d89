package dev.d2r2.sip.edge;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backend addresses are IP literals, never names: no DNS lookup when a backend is added. */
class BackendAddressTest {
    @Test
    void literalsAreTakenAndNamesRefused() throws Exception {
        assertThat(BackendAddress.parse("127.0.0.1:5070")).isEqualTo(new InetSocketAddress("127.0.0.1", 5070));
        assertThat(BackendAddress.parse("[::1]:5070")).isEqualTo(new InetSocketAddress(InetAddress.ofLiteral("::1"), 5070));
        assertThat(BackendAddress.parse("192.0.2.1").getPort()).isEqualTo(BackendAddress.DEFAULT_PORT);
        for (String bad : new String[]{"localhost:5070", "sip.example.com", "::1:5070", "[::1]x", "[127.0.0.1]:5070", "10.0.0.0/8:9",
                "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:", "", "1".repeat(65), "127.0.0.1:50\n70"}) {
            assertThatThrownBy(() -> BackendAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("a backend address is IP:PORT or [IPv6]:PORT");
        }
    }
}
