package dev.d2r2.migrate.dns;

import dev.d2r2.migrate.dns.DnsMessage.Question;
import dev.d2r2.migrate.dns.DnsMessage.Rr;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DnsCodecTest {
    @Property(tries = 300)
    void encodeThenDecodeIsTheSameMessage(@ForAll("messages") DnsMessage m) throws Exception {
        byte[] wire = DnsCodec.encode(m);
        assertThat(DnsCodec.decode(wire).message()).isEqualTo(m);
    }

    @Property(tries = 500)
    void anyBytesDecodeOrAreRefusedClearly(@ForAll byte[] bytes) {
        try {
            DnsCodec.decode(bytes);
        } catch (BadDnsMessage e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 300)
    void aTruncatedMessageIsRefused(@ForAll("messages") DnsMessage m, @ForAll("cuts") int cut) {
        byte[] wire = DnsCodec.encode(m);
        byte[] shorter = java.util.Arrays.copyOf(wire, Math.max(0, wire.length - 1 - cut % wire.length));
        assertThatThrownBy(() -> DnsCodec.decode(shorter)).isInstanceOf(BadDnsMessage.class);
    }

    @Provide
    Arbitrary<Integer> cuts() {
        return Arbitraries.integers().between(0, 10_000);
    }

    @Provide
    Arbitrary<DnsMessage> messages() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '0', '_').ofMinLength(1)
                .ofMaxLength(20).list().ofMaxSize(4).map(l -> String.join(".", l));
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 0xFFFF);
        Arbitrary<Question> questions = Combinators.combine(names, u16, u16).as(Question::new);
        Arbitrary<Rr> records = Combinators.combine(names, u16, u16, Arbitraries.longs().between(0, 0xFFFFFFFFL),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40)).as(Rr::new);
        return Combinators.combine(u16, u16, questions.list().ofMaxSize(2), records.list().ofMaxSize(3),
                records.list().ofMaxSize(3), records.list().ofMaxSize(3)).as(DnsMessage::new);
    }

    @Test
    void compressedNamesAreFollowedBackwardsOnly() throws Exception {
        byte[] header = {0, 1, (byte) 0x80, 0, 0, 2, 0, 0, 0, 0, 0, 0};
        byte[] q1 = {3, 's', 'v', 'c', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1};
        byte[] q2 = {1, 'a', (byte) 0xC0, 12, 0, 1, 0, 1};
        DnsMessage m = DnsCodec.decode(concat(header, q1, q2)).message();
        assertThat(m.questions()).extracting(Question::name).containsExactly("svc.test", "a.svc.test");

        byte[] loop = {1, 'a', (byte) 0xC0, 12, 0, 1, 0, 1};
        byte[] one = {0, 1, (byte) 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> DnsCodec.decode(concat(one, loop))).hasMessageContaining("does not point before");
    }

    @Test
    void extraBytesAndOddLabelsAreRefused() {
        byte[] header = {0, 1, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
        assertThatThrownBy(() -> DnsCodec.decode(header)).hasMessageContaining("1 bytes after the last record");
        byte[] dotted = {0, 1, (byte) 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a', '.', 'b', 0, 0, 1, 0, 1};
        assertThatThrownBy(() -> DnsCodec.decode(dotted)).hasMessageContaining("unsupported byte 46");
        byte[] extended = {0, 1, (byte) 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0, 0, 1, 0, 1};
        assertThatThrownBy(() -> DnsCodec.decode(extended)).hasMessageContaining("unknown label type");
    }

    @Test
    void theTsigRecordOfASignedRequestRoundTrips() throws Exception {
        TsigKey key = new TsigKey("k", "secret".getBytes(StandardCharsets.US_ASCII));
        DnsMessage m = new DnsMessage(7, 0x2800, List.of(new Question("z", 6, 1)), List.of(), List.of(), List.of());
        byte[] unsigned = DnsCodec.encode(m);
        Rr tsig = Tsig.sign(unsigned, key, 1_000);
        Tsig.Fields f = Tsig.Fields.parse(tsig.rdata());
        assertThat(f.mac()).hasSize(32);
        assertThat(Tsig.Fields.parse(f.encode())).usingRecursiveComparison().isEqualTo(f);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
