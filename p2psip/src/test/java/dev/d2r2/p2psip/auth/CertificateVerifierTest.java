package dev.d2r2.p2psip.auth;

import dev.d2r2.core.ManualClock;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.auth.BadCertificate.Reason;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CertificateVerifierTest {
    private static final long EPOCH_MS = Duration.ofHours(6).toMillis();
    private final Identity server = Identity.generate();
    private final CertificateAuthority authority = new CertificateAuthority(server, CertificateAuthority.Policy.defaults(), new SecureRandom());
    private final ManualClock clock = new ManualClock(100 * EPOCH_MS + 1234);
    private final CertificateVerifier verifier = new CertificateVerifier(server.publicKey(), clock);

    private Reason refusal(byte[] bytes, CertificateKind kind) {
        try {
            verifier.verify(bytes, kind);
            throw new AssertionError("accepted");
        } catch (BadCertificate e) {
            return e.reason();
        }
    }

    @Test
    void pseudonymsNameNobodyAndShareTheirEpochsValidity() throws BadCertificate {
        Certificate a = authority.pseudonym(CertificateKind.STORAGE, Identity.generate().publicKey(), clock.millis());
        clock.advance(Duration.ofHours(5));
        Certificate b = authority.pseudonym(CertificateKind.STORAGE, Identity.generate().publicKey(), clock.millis());
        assertThat(a.subject()).isEmpty();
        assertThat(a.notBeforeMillis()).isEqualTo(b.notBeforeMillis()).isEqualTo(100 * EPOCH_MS);
        assertThat(a.notAfterMillis()).isEqualTo(b.notAfterMillis()).isEqualTo(102 * EPOCH_MS);
        assertThat(a.serial()).isNotEqualTo(b.serial());
        assertThat(a.nodeId()).isNotEqualTo(b.nodeId());
        assertThat(verifier.verify(a.encode(), CertificateKind.STORAGE)).isEqualTo(a);
    }

    @Test
    void expiredNotYetValidWrongKindAndForgedAreRefusedWithTheirReasonAndCounted() {
        Certificate id = authority.identity("alice", Identity.generate().publicKey(), clock.millis());
        Certificate forwarding = authority.pseudonym(CertificateKind.FORWARDING, Identity.generate().publicKey(), clock.millis());
        Certificate forged = new CertificateAuthority(Identity.generate(), CertificateAuthority.Policy.defaults(), new SecureRandom())
                .pseudonym(CertificateKind.STORAGE, Identity.generate().publicKey(), clock.millis());

        assertThat(refusal(forwarding.encode(), CertificateKind.STORAGE)).isEqualTo(Reason.WRONG_KIND);
        assertThat(refusal(id.encode(), CertificateKind.FORWARDING)).isEqualTo(Reason.WRONG_KIND);
        assertThat(refusal(forged.encode(), CertificateKind.STORAGE)).isEqualTo(Reason.BAD_SIGNATURE);

        clock.advance(Duration.ofHours(12));
        assertThat(refusal(forwarding.encode(), CertificateKind.FORWARDING)).isEqualTo(Reason.EXPIRED);

        ManualClock early = new ManualClock(id.notBeforeMillis() - 1);
        assertThatThrownBy(() -> new CertificateVerifier(server.publicKey(), early).verify(id.encode(), CertificateKind.IDENTITY))
                .isInstanceOf(BadCertificate.class).hasMessageContaining("NOT_YET_VALID");

        assertThat(verifier.refused()).containsEntry(Reason.WRONG_KIND, 2L).containsEntry(Reason.BAD_SIGNATURE, 1L)
                .containsEntry(Reason.EXPIRED, 1L).containsEntry(Reason.MALFORMED, 0L);
    }
}
