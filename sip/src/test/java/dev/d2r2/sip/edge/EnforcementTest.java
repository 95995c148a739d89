package dev.d2r2.sip.edge;

import dev.d2r2.core.ManualClock;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Blocks and token buckets, in virtual time. */
class EnforcementTest {
    private final ManualClock clock = new ManualClock(1_000_000);
    private final Enforcement e = new Enforcement(clock);

    private static SipMessage request(String method, String from) {
        byte[] b = (method + " sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: " + from
                + ";tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c1\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        return SipParser.datagram(b, 0, b.length);
    }

    private static InetSocketAddress at(String ip) {
        return new InetSocketAddress(ip, 5060);
    }

    @Test
    void blocksByAddressRangeAndCallerUntilTheyExpire() {
        SipMessage invite = request("INVITE", "\"Eve\" <sip:eve@Example.COM>");
        e.block("192.0.2.7", clock.millis() + 10_000);
        e.block("198.51.100.0/24", clock.millis() + 20_000);
        e.block("sip:eve@example.com", clock.millis() + 30_000);
        assertThat(e.refusal(at("192.0.2.7"), request("INVITE", "<sip:a@b>"))).isEqualTo(EdgeCounter.DROPPED_BLOCKED);
        assertThat(e.refusal(at("198.51.100.99"), request("INVITE", "<sip:a@b>"))).isEqualTo(EdgeCounter.DROPPED_BLOCKED);
        assertThat(e.refusal(at("203.0.113.1"), invite)).isEqualTo(EdgeCounter.DROPPED_BLOCKED);
        assertThat(e.refusal(at("203.0.113.1"), request("INVITE", "<sip:alice@example.com>"))).isNull();
        clock.advance(Duration.ofSeconds(10));
        assertThat(e.refusal(at("192.0.2.7"), request("INVITE", "<sip:a@b>"))).isNull();
        clock.advance(Duration.ofSeconds(20));
        assertThat(e.refusal(at("198.51.100.99"), invite)).isNull();
        assertThat(e.size()).isZero();
    }

    @Test
    void aTokenBucketLetsItsRatePassAndRefillsWithTime() {
        e.rateLimit("192.0.2.9", 5, null, clock.millis() + 60_000);
        e.rateLimit("192.0.2.9", 1, "REGISTER", clock.millis() + 60_000);
        int passed = 0;
        for (int i = 0; i < 20; i++) {
            passed += e.refusal(at("192.0.2.9"), request("OPTIONS", "<sip:a@b>")) == null ? 1 : 0;
        }
        assertThat(passed).isEqualTo(5);
        clock.advance(Duration.ofMillis(400));
        assertThat(e.refusal(at("192.0.2.9"), request("OPTIONS", "<sip:a@b>"))).isNull();
        assertThat(e.refusal(at("192.0.2.9"), request("REGISTER", "<sip:a@b>"))).isNull();
        assertThat(e.refusal(at("192.0.2.9"), request("REGISTER", "<sip:a@b>"))).isEqualTo(EdgeCounter.DROPPED_RATE_LIMITED);
        assertThat(e.refusal(at("192.0.2.10"), request("OPTIONS", "<sip:a@b>"))).isNull();
        clock.advance(Duration.ofMinutes(1));
        for (int i = 0; i < 20; i++) {
            assertThat(e.refusal(at("192.0.2.9"), request("REGISTER", "<sip:a@b>"))).isNull();
        }
    }
}
