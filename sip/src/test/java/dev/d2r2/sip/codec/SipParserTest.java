package dev.d2r2.sip.codec;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Framing, headers and robustness of the parser. */
class SipParserTest {
    private static final String INVITE = "INVITE sip:bob@example.com SIP/2.0\r\n"
            + "v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1, SIP/2.0/TCP [2001:db8::1];branch=z9hG4bK2\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK3\r\n"
            + "Max-Forwards: 70\r\n"
            + "f: \"Alice, A.\" <sip:alice@example.com>;tag=1\r\n"
            + "t: <sip:bob@example.com>\r\n"
            + "i: call-1@192.0.2.1\r\n"
            + "CSeq: 1\r\n INVITE\r\n"
            + "m: <sip:alice@192.0.2.1>, <sip:alice@[2001:db8::1]>\r\n"
            + "c: application/sdp\r\n"
            + "l: 5\r\n"
            + "\r\n"
            + "v=0\r\n";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void compactFormsFoldingAndListsAreUnderstood() {
        byte[] b = bytes(INVITE);
        SipMessage m = SipParser.datagram(b, 0, b.length);
        assertThat(m.malformation()).isNull();
        assertThat(m.isRequest()).isTrue();
        assertThat(m.method()).isEqualTo("INVITE");
        assertThat(m.requestUri()).isEqualTo("sip:bob@example.com");
        assertThat(m.all(Header.VIA)).containsExactly("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1",
                "SIP/2.0/TCP [2001:db8::1];branch=z9hG4bK2", "SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK3");
        assertThat(m.first(Header.FROM)).isEqualTo("\"Alice, A.\" <sip:alice@example.com>;tag=1");
        assertThat(m.all(Header.FROM)).hasSize(1);
        assertThat(m.first(Header.CSEQ)).isEqualTo("1 INVITE");
        assertThat(m.all(Header.CONTACT)).containsExactly("<sip:alice@192.0.2.1>", "<sip:alice@[2001:db8::1]>");
        assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("v=0\r\n");
        assertThat(SipChecks.check(m).forward()).isTrue();
    }

    @Test
    void aStreamMessageIsCompleteOnlyWithItsWholeBodyAndTheNextStartsAtItsEnd() {
        byte[] two = bytes(INVITE + "\r\n" + INVITE);
        int single = bytes(INVITE).length;
        for (int cut = 0; cut < single; cut++) {
            assertThat(SipParser.stream(two, 0, cut)).as("after %d bytes", cut).isSameAs(SipParser.INCOMPLETE);
        }
        SipMessage first = SipParser.stream(two, 0, two.length);
        assertThat(first.end()).isEqualTo(single);
        SipMessage second = SipParser.stream(two, first.end(), two.length - first.end());
        assertThat(second.first(Header.CALL_ID)).isEqualTo("call-1@192.0.2.1");
        assertThat(second.end()).isEqualTo(two.length);
    }

    @Test
    void everyTortureMessageFramesTheSameOnAStreamAsInADatagram() throws Exception {
        List<String> files = java.nio.file.Files.readAllLines(java.nio.file.Path.of("src/test/resources/sip-torture/MANIFEST.tsv"))
                .stream().skip(1).map(l -> l.substring(0, l.indexOf('\t'))).toList();
        for (String f : files) {
            byte[] b = TortureCorpusTest.read(f);
            SipMessage d = SipParser.datagram(b, 0, b.length);
            SipMessage s = SipParser.stream(b, 0, b.length);
            if (s == SipParser.INCOMPLETE) {
                assertThat(d.malformation()).as(f).isIn(Malformation.TRUNCATED_BODY, Malformation.NO_END_OF_HEADERS, null);
                continue;
            }
            if (d.malformation() == null && s.malformation() == null && d.first(Header.CONTENT_LENGTH) != null) {
                assertThat(s.bodyLength()).as(f).isEqualTo(d.bodyLength());
                assertThat(SipChecks.check(s)).as(f).isEqualTo(SipChecks.check(d));
            }
        }
    }

    @Test
    void aDatagramWithATooShortBodyOrABadLengthIsAnswered400() {
        byte[] b = bytes(INVITE.replace("l: 5", "l: 50"));
        Verdict v = SipChecks.check(SipParser.datagram(b, 0, b.length));
        assertThat(v.status()).isEqualTo(400);
        assertThat(v.why()).isEqualTo("truncated_body");
        byte[] c = bytes(INVITE.replace("l: 5", "l: five"));
        assertThat(SipChecks.check(SipParser.datagram(c, 0, c.length)).why()).isEqualTo("content_length");
    }

    @Test
    void keepAlivesAndResponsesWithoutViaAreDropped() {
        byte[] crlf = bytes("\r\n\r\n");
        assertThat(SipChecks.check(SipParser.datagram(crlf, 0, crlf.length)).kind()).isEqualTo(Verdict.Kind.DROP);
        byte[] r = bytes("SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        assertThat(SipChecks.check(SipParser.datagram(r, 0, r.length)).why()).isEqualTo("missing header");
    }

    @Property(tries = 3000)
    void arbitraryBytesNeverBreakTheParserOrTheChecks(@ForAll("noise") byte[] b) {
        SipMessage d = SipParser.datagram(b, 0, b.length);
        assertThat(SipChecks.check(d)).isNotNull();
        SipMessage s = SipParser.stream(b, 0, b.length);
        if (s != SipParser.INCOMPLETE) {
            assertThat(s.end()).isBetween(0, b.length);
            SipChecks.check(s);
        }
    }

    @Property(tries = 3000)
    void mutatedTortureMessagesNeverBreakTheParserOrTheChecks(@ForAll("mutated") byte[] b) {
        SipMessage d = SipParser.datagram(b, 0, b.length);
        Verdict v = SipChecks.check(d);
        assertThat(v.kind()).isNotNull();
        for (int i = 0; i < d.headerCount(); i++) {
            d.name(i);
            d.value(i);
        }
    }

    @Provide
    Arbitrary<byte[]> noise() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        List<String> files = List.of("wsinv.dat", "intmeth.dat", "esc01.dat", "mpart01.dat", "badinv01.dat", "quotbal.dat",
                "multi01.dat", "inv2543.dat", "rfc5118/ipv6-good", "bext01.dat", "scalar02.dat");
        return Arbitraries.of(files).flatMap(f -> {
            byte[] base = TortureCorpusTest.read(f);
            return Arbitraries.integers().between(0, base.length - 1).list().ofMaxSize(8).flatMap(positions ->
                    Arbitraries.of((byte) 0, (byte) '\r', (byte) '\n', (byte) ' ', (byte) ':', (byte) ';', (byte) ',', (byte) '"',
                            (byte) '<', (byte) '>', (byte) '@', (byte) 0xff).list().ofSize(positions.size()).map(values -> {
                        byte[] copy = base.clone();
                        for (int i = 0; i < positions.size(); i++) {
                            copy[positions.get(i)] = values.get(i);
                        }
                        return copy;
                    }));
        });
    }
}
