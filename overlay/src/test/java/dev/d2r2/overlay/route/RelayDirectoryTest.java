package dev.d2r2.overlay.route;

import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.SignedValue;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RelayDirectoryTest {
    private static final InetSocketAddress DESTINATION = new InetSocketAddress("10.0.0.2", 4200);
    private static final InetSocketAddress RELAY = new InetSocketAddress("10.0.0.5", 4200);

    @Test
    void everyMemberDerivesTheSameDirectoryAndAnotherNetworkAnother() {
        byte[] key = new byte[32];
        key[0] = 1;
        byte[] other = new byte[32];
        assertThat(new RelayDirectory(key).keyFor(DESTINATION)).isEqualTo(new RelayDirectory(key.clone()).keyFor(DESTINATION));
        assertThat(new RelayDirectory(other).keyFor(DESTINATION)).isNotEqualTo(new RelayDirectory(key).keyFor(DESTINATION));
        assertThat(new RelayDirectory(key).keyFor(RELAY)).isNotEqualTo(new RelayDirectory(key).keyFor(DESTINATION));
    }

    @Test
    void aRecordIsSignedUnderTheDestinationsKeyAndNamesTheRelay() {
        RelayDirectory d = new RelayDirectory(new byte[32]);
        SignedValue record = d.record(DESTINATION, RELAY, 42);
        assertThat(record.verify()).isTrue();
        assertThat(record.key()).isEqualTo(d.keyFor(DESTINATION));
        assertThat(RelayDirectory.relayOf(record)).isEqualTo(RELAY);
    }

    @Test
    void aRecordNamingAHostNameOrNonsenseNamesNoRelayAndCausesNoLookup() {
        Identity someone = Identity.generate();
        for (String data : new String[]{"relay.example.org:4200", "10.0.0.5", "10.0.0.5:x", ""}) {
            SignedValue v = SignedValue.sign(someone, "relay:x".getBytes(StandardCharsets.US_ASCII), 1, data.getBytes(StandardCharsets.US_ASCII));
            assertThat(RelayDirectory.relayOf(v)).as(data).isNull();
        }
    }
}
