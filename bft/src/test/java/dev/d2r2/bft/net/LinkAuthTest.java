package dev.d2r2.bft.net;

import dev.d2r2.bft.Ed25519Signatures;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Frames between replicas: accepted only unaltered and from the replica whose key signed them. */
class LinkAuthTest {
    private final List<KeyPair> keys;
    private final List<PublicKey> publicKeys;

    LinkAuthTest() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        keys = List.of(g.generateKeyPair(), g.generateKeyPair(), g.generateKeyPair(), g.generateKeyPair());
        publicKeys = keys.stream().map(KeyPair::getPublic).toList();
    }

    private LinkAuth of(int replica) {
        return new LinkAuth(new Ed25519Signatures(keys.get(replica).getPrivate(), publicKeys));
    }

    private static byte[] body(byte[] frame) {
        return Arrays.copyOfRange(frame, 4, frame.length);
    }

    @Test
    void aFrameIsAcceptedFromItsSignerOnly() {
        byte[] frame = of(1).frame(1, new byte[]{1, 2, 3, 4, 5});
        assertThat(of(0).verify(body(frame))).isTrue();

        byte[] tampered = body(frame);
        tampered[4] ^= 1;
        assertThat(of(0).verify(tampered)).isFalse();

        byte[] renamed = body(frame);
        renamed[1] = 2;
        assertThat(of(0).verify(renamed)).isFalse();

        byte[] impersonated = body(of(3).frame(1, new byte[]{1, 2, 3, 4, 5}));
        assertThat(of(0).verify(impersonated)).isFalse();

        assertThat(of(0).verify(new byte[10])).isFalse();
    }
}
