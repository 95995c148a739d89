package dev.d2r2.p2psip.auth;

import dev.d2r2.core.ManualClock;
import dev.d2r2.overlay.kad.Identity;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Certificates survive encoding unchanged, and any change to a signed one is refused, with a reason, and counted. */
class CertificateProperties {
    private static final Identity SERVER = Identity.generate();
    private static final long NOW = 1_800_000_000_000L;

    @Provide
    Arbitrary<Certificate> certificates() {
        Arbitrary<CertificateKind> kinds = Arbitraries.of(CertificateKind.class);
        Arbitrary<String> subjects = Arbitraries.strings().ofMinLength(1).ofMaxLength(20).filter(s -> {
            try {
                Enrolments.checkUser(s);
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                return utf8.length <= Certificate.MAX_SUBJECT_BYTES && s.equals(new String(utf8, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return false;
            }
        });
        Arbitrary<byte[]> keys = Arbitraries.bytes().array(byte[].class).ofSize(Certificate.KEY_BYTES);
        Arbitrary<Long> starts = Arbitraries.longs().between(0, NOW);
        Arbitrary<Long> spans = Arbitraries.longs().between(1, Long.MAX_VALUE / 2);
        return Combinators.combine(kinds, Arbitraries.longs(), starts, spans, keys, subjects)
                .as((kind, serial, start, span, key, subject) ->
                        Certificate.sign(SERVER, kind, serial, start, start + span, key, kind.pseudonym() ? "" : subject));
    }

    @Property(tries = 300)
    void encodingRoundTrips(@ForAll("certificates") Certificate c) throws BadCertificate {
        Certificate back = Certificate.decode(c.encode());
        assertThat(back).isEqualTo(c);
        assertThat(back.encode()).isEqualTo(c.encode());
        assertThat(back.nodeId()).isEqualTo(c.nodeId());
    }

    @Property(tries = 300)
    void aValidCertificateVerifies(@ForAll("certificates") Certificate c) throws BadCertificate {
        ManualClock clock = new ManualClock(c.notBeforeMillis());
        assertThat(new CertificateVerifier(SERVER.publicKey(), clock).verify(c.encode(), c.kind())).isEqualTo(c);
    }

    @Property(tries = 1000)
    void anyFlippedBitIsRefusedAndCounted(@ForAll("certificates") Certificate c, @ForAll @IntRange(min = 0, max = 10_000) int at,
                                          @ForAll @IntRange(min = 0, max = 7) int bit) {
        byte[] bytes = c.encode();
        bytes[at % bytes.length] ^= (byte) (1 << bit);
        CertificateVerifier verifier = new CertificateVerifier(SERVER.publicKey(), new ManualClock(c.notBeforeMillis()));
        assertThatThrownBy(() -> verifier.verify(bytes, c.kind())).isInstanceOf(BadCertificate.class)
                .satisfies(e -> assertThat(((BadCertificate) e).reason()).isIn(BadCertificate.Reason.MALFORMED, BadCertificate.Reason.BAD_SIGNATURE));
        assertThat(total(verifier.refused())).isEqualTo(1);
    }

    @Property(tries = 300)
    void anyCutIsMalformed(@ForAll("certificates") Certificate c, @ForAll @IntRange(min = 0, max = 10_000) int length) {
        byte[] bytes = c.encode();
        byte[] cut = Arrays.copyOf(bytes, length % bytes.length);
        assertThatThrownBy(() -> Certificate.decode(cut)).isInstanceOf(BadCertificate.class)
                .satisfies(e -> assertThat(((BadCertificate) e).reason()).isEqualTo(BadCertificate.Reason.MALFORMED));
    }

    @Property(tries = 1000)
    void anyBytesAreACertificateOrRefused(@ForAll byte[] bytes, @ForAll CertificateKind kind) {
        CertificateVerifier verifier = new CertificateVerifier(SERVER.publicKey(), new ManualClock(NOW));
        assertThatThrownBy(() -> verifier.verify(bytes, kind)).isInstanceOf(BadCertificate.class);
        assertThat(total(verifier.refused())).isEqualTo(1);
    }

    private static long total(Map<BadCertificate.Reason, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
