package dev.d2r2.sip.codec;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The byte functions the edge routes with give what the text functions give, without making objects. */
class HopBytesTest {
    @Property(tries = 3000)
    void aViaTargetIsTheTextFunctionsAnswer(@ForAll("vias") String via) {
        byte[] b = (";x, " + via + " ,y").getBytes(StandardCharsets.US_ASCII);
        long target = Hop.viaTarget(b, 4, 4 + via.length());
        // a host name is left to the text function, which would ask the DNS: not compared
        if (target >= 0) {
            assertThat(address(target)).isEqualTo(ofVia(via));
        } else if (target == Hop.NO_TARGET) {
            assertThat(ofVia(via)).isNull();
        } else {
            assertThat(target).isEqualTo(Hop.NOT_IPV4);
        }
    }

    @Property(tries = 3000)
    void aUriTargetIsTheTextFunctionsAnswer(@ForAll("uris") String uri) {
        byte[] b = uri.getBytes(StandardCharsets.US_ASCII);
        long target = Hop.uriTarget(b, 0, b.length);
        if (target >= 0) {
            assertThat(address(target)).isEqualTo(Hop.ofUri(uri));
        } else if (target == Hop.NO_TARGET) {
            assertThat(Hop.ofUri(uri)).isNull();
        } else {
            assertThat(target).isEqualTo(Hop.NOT_IPV4);
        }
    }

    @Property(tries = 2000)
    void anyBytesGiveAnAnswerAndNoException(@ForAll("noise") byte[] b) {
        assertThat(Hop.viaTarget(b, 0, b.length)).isGreaterThanOrEqualTo(Hop.NOT_IPV4);
        assertThat(Hop.uriTarget(b, 0, b.length)).isGreaterThanOrEqualTo(Hop.NOT_IPV4);
        assertThat(Span.param(b, 0, b.length, "branch".getBytes(StandardCharsets.US_ASCII))).isGreaterThanOrEqualTo(Span.NONE);
    }

    @Test
    void leadingZerosAndHostNamesAreLeftToTheTextFunctions() {
        byte[] b = "SIP/2.0/UDP 010.0.0.1:5060".getBytes(StandardCharsets.US_ASCII);
        assertThat(Hop.viaTarget(b, 0, b.length)).isEqualTo(Hop.NOT_IPV4);
        byte[] name = "<sip:bob@proxy.example.com;lr>".getBytes(StandardCharsets.US_ASCII);
        assertThat(Hop.uriTarget(name, 0, name.length)).isEqualTo(Hop.NOT_IPV4);
    }

    @Test
    void aParameterIsFoundByItsNameInAnyCaseAndStrippedOfBlanks() {
        byte[] b = "SIP/2.0/UDP 192.0.2.1;RPort= 5070 ;branch=z9hG4bK1>".getBytes(StandardCharsets.US_ASCII);
        long rport = Span.param(b, 0, b.length, "rport".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(b, Span.from(rport), Span.to(rport) - Span.from(rport), StandardCharsets.US_ASCII)).isEqualTo("5070");
        assertThat(Span.param(b, 0, b.length, "received".getBytes(StandardCharsets.US_ASCII))).isEqualTo(Span.NONE);
    }

    /** {@link Hop#ofVia}, which refuses a port over 65535 by throwing where the byte function keeps the sent-by port. */
    private static InetSocketAddress ofVia(String via) {
        try {
            return Hop.ofVia(via);
        } catch (IllegalArgumentException e) {
            return Hop.ofVia(via.replaceAll(";rport=\\d+", ""));
        }
    }

    private static InetSocketAddress address(long packed) {
        long ip = packed >>> 16;
        return new InetSocketAddress((ip >>> 24) + "." + (ip >>> 16 & 255) + "." + (ip >>> 8 & 255) + "." + (ip & 255), (int) (packed & 0xffff));
    }

    @Provide
    Arbitrary<String> vias() {
        Arbitrary<String> host = Arbitraries.oneOf(ipv4(), Arbitraries.of("[2001:db8::1]", "example.com", "", "1.2.3", "256.1.1.1", "01.2.3.4"));
        Arbitrary<String> port = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.integers().between(0, 99999).map(p -> ":" + p),
                Arbitraries.of(":", ":x"));
        Arbitrary<String> params = Arbitraries.of(";branch=z9hG4bK1", ";rport", ";received=192.0.2.7", ";rport=5070",
                "; rport = 6000", ";received=example.com", ";RECEIVED=10.0.0.1", ";rport=70000", ";ttl=1").list().ofMaxSize(4)
                .map(l -> String.join("", l));
        Arbitrary<String> protocol = Arbitraries.of("SIP/2.0/UDP ", "SIP/2.0/TCP  ", "SIP/2.0/UDP", " SIP/2.0/UDP ");
        return Combinators.combine(protocol, host, port, params).as((p, h, o, q) -> p + h + o + q);
    }

    @Provide
    Arbitrary<String> uris() {
        Arbitrary<String> host = Arbitraries.oneOf(ipv4(), Arbitraries.of("[2001:db8::1]", "example.com", "", "300.1.1.1"));
        Arbitrary<String> port = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.integers().between(0, 70000).map(p -> ":" + p));
        Arbitrary<String> user = Arbitraries.of("", "bob@", "a:b@", "@");
        Arbitrary<String> tail = Arbitraries.of("", ";lr", ";d2r2-b=127.0.0.1:5071", "?x=y", ";transport=udp;x=a@b");
        return Combinators.combine(Arbitraries.of("sip:", "sips:", "tel:", ""), user, host, port, tail, Arbitraries.of(true, false))
                .as((s, u, h, p, t, bracket) -> bracket ? "\"Bob\" <" + s + u + h + p + t + ">;tag=1" : s + u + h + p + t);
    }

    private static Arbitrary<String> ipv4() {
        return Arbitraries.integers().between(0, 255).list().ofSize(4).map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
    }

    @Provide
    Arbitrary<byte[]> noise() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    }
}
