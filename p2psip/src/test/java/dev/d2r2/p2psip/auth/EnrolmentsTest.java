package dev.d2r2.p2psip.auth;

import dev.d2r2.overlay.kad.Identity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnrolmentsTest {
    @TempDir
    Path dir;

    @Test
    void enrolledSecretsAreReadBackFromAnOwnerOnlyFile() throws IOException {
        Path file = dir.resolve("users");
        byte[] alice = Enrolments.enrol(file, "alice");
        byte[] bob = Enrolments.enrol(file, "bob");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Enrolments e = Enrolments.load(file);
        assertThat(e.size()).isEqualTo(2);
        assertThat(e.secret("alice")).isEqualTo(alice);
        assertThat(e.secret("bob")).isEqualTo(bob);
        assertThat(e.secret("carol")).isNull();
        assertThatThrownBy(() -> Enrolments.enrol(file, "alice")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already enrolled");
        assertThatThrownBy(() -> Enrolments.enrol(file, "two words")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBadLineIsNamed() throws IOException {
        Path file = dir.resolve("users");
        Files.writeString(file, "# users\nalice " + "00".repeat(32) + "\nbob 12zz\n");
        assertThatThrownBy(() -> Enrolments.load(file)).isInstanceOf(IOException.class).hasMessageContaining("line 3");
    }

    @Test
    void theLinkToAPseudonymIsForgottenOnceItExpired() {
        Enrolments e = Enrolments.of(Map.of("alice", new byte[Enrolments.SECRET_BYTES]));
        CertificateAuthority authority = new CertificateAuthority(Identity.generate(),
                new CertificateAuthority.Policy(Duration.ofDays(30), Duration.ofHours(6), 16), new SecureRandom());
        long now = Duration.ofDays(20_000).toMillis();
        Certificate old = authority.pseudonym(CertificateKind.STORAGE, Identity.generate().publicKey(), now);
        e.record("alice", old, authority.epochOf(now), now);
        assertThat(e.issuedTo("alice")).extracting(Enrolments.Issued::nodeId).containsExactly(old.nodeId());
        assertThat(e.issuedIn("alice", CertificateKind.STORAGE, authority.epochOf(now))).isEqualTo(1);

        long later = old.notAfterMillis();
        Certificate fresh = authority.pseudonym(CertificateKind.STORAGE, Identity.generate().publicKey(), later);
        e.record("alice", fresh, authority.epochOf(later), later);
        assertThat(e.issuedTo("alice")).extracting(Enrolments.Issued::nodeId).containsExactly(fresh.nodeId());
    }
}
