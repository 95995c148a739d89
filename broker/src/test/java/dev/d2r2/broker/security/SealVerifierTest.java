package dev.d2r2.broker.security;

import dev.d2r2.broker.Protection;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.ProtocolException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The HA seal check, which compares the HMAC in place: a sealed event passes, any altered byte fails. */
class SealVerifierTest {
    private static final String CHANNEL = "critical";
    private final byte[] secret = Crypto.randomBytes(Crypto.SECRET_BYTES);
    private final SealVerifier verifier = new SealVerifier(new Identity("pub", secret, null, false));
    private final byte[] prefix = Envelope.channelPrefix(CHANNEL);

    @Test
    void anHaSealedEventPassesAgainAndAgainWithTheReusedBuffer() throws ProtocolException {
        for (long seq = 1; seq <= 3; seq++) {
            assertThat(verifier.verify(prefix, sealed(seq, secret))).isTrue();
        }
    }

    @Test
    void anyAlteredByteOfPayloadOrSealFailsTheCheck() throws ProtocolException {
        byte[] bytes = sealed(7, secret).bytes();
        for (int i = 0; i < bytes.length; i++) {
            if (i == 1) {
                continue; // the protection byte: another protection is refused before the seal is checked
            }
            byte[] altered = bytes.clone();
            altered[i] ^= 0x01;
            Envelope e;
            try {
                e = Envelope.parse(altered);
            } catch (ProtocolException unreadable) {
                continue;
            }
            assertThat(verifier.verify(prefix, e)).as("byte %d altered", i).isFalse();
        }
    }

    @Test
    void aSealMadeWithAnotherSecretOrForAnotherChannelFails() throws ProtocolException {
        assertThat(verifier.verify(prefix, sealed(1, Crypto.randomBytes(Crypto.SECRET_BYTES)))).isFalse();
        assertThat(verifier.verify(Envelope.channelPrefix("other"), sealed(1, secret))).isFalse();
    }

    @Test
    void aTruncatedSealFails() throws ProtocolException {
        Envelope e = sealed(1, secret);
        byte[] bytes = e.bytes();
        int sealAt = e.sealStart();
        byte[] shorter = new byte[bytes.length - 1];
        System.arraycopy(bytes, 0, shorter, 0, shorter.length);
        int sealLength = bytes.length - sealAt - 2 - 1;
        shorter[sealAt] = (byte) (sealLength >> 8);
        shorter[sealAt + 1] = (byte) sealLength;
        assertThat(verifier.verify(prefix, Envelope.parse(shorter))).isFalse();
    }

    private static Envelope sealed(long seq, byte[] secret) throws ProtocolException {
        ChannelSealer sealer = new ChannelSealer(CHANNEL, Protection.HA, "pub", secret, null, null);
        Envelope built = sealer.seal(seq, 1_000, ("event " + seq).getBytes(StandardCharsets.UTF_8));
        return Envelope.parse(built.bytes());
    }
}
