package dev.d2r2.migrate.takeover;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeepaliveCodecTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final KeepaliveCodec codec = new KeepaliveCodec(KEY);
    private final ByteBuffer buffer = ByteBuffer.allocate(KeepaliveCodec.MAX_PACKET);

    @Test
    void roundTrips() throws Exception {
        Keepalive k = new Keepalive("backup", 1, true, 7, 1_700_000_000_000_000L);
        codec.encode(k, buffer);
        assertThat(codec.decode(buffer)).isEqualTo(k);
    }

    @Test
    void anotherGroupsKeyIsRefused() {
        new KeepaliveCodec("another key, another group......".getBytes(StandardCharsets.US_ASCII))
                .encode(new Keepalive("master", 2, true, 99, 1), buffer);
        assertThatThrownBy(() -> codec.decode(buffer)).hasMessageContaining("bad HMAC");
    }

    @Test
    void aTamperedEpochIsRefused() {
        codec.encode(new Keepalive("master", 2, true, 1, 1), buffer);
        buffer.put(13, (byte) 9);
        assertThatThrownBy(() -> codec.decode(buffer)).hasMessageContaining("bad HMAC");
    }

    @Test
    void garbageIsRefusedWithoutAnException() {
        assertThatThrownBy(() -> codec.decode(ByteBuffer.wrap(new byte[5]))).hasMessageContaining("short");
        assertThatThrownBy(() -> codec.decode(ByteBuffer.wrap(new byte[60]))).hasMessageContaining("not a version");
        codec.encode(new Keepalive("master", 2, true, 1, 1), buffer);
        ByteBuffer cut = buffer.duplicate().limit(buffer.limit() - 1);
        assertThatThrownBy(() -> codec.decode(cut)).hasMessageContaining("bad length");
    }
}
