package dev.d2r2.sip.load;

import dev.d2r2.sip.codec.SipParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The flood's sources read an answer's status from its status line alone: the same code the parser reads, or -1. */
class SipLoadStatusTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "SIP/2.0 200 OK\r\nCall-ID: a\r\nContent-Length: 0\r\n\r\n",
            "SIP/2.0 180 Ringing\r\nCall-ID: a\r\nContent-Length: 0\r\n\r\n",
            "SIP/2.0 503 Service Unavailable\r\nCall-ID: a\r\nContent-Length: 0\r\n\r\n",
            "SIP/2.0 699 X\r\n\r\n"})
    void aResponsesStatusIsTheOneTheParserReads(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        assertThat(SipLoad.status(b, b.length)).isEqualTo(SipParser.datagram(b, 0, b.length).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"INVITE sip:bob@x SIP/2.0\r\n\r\n", "SIP/2.0 2x0 OK\r\n", "SIP/2.0 20", "SIP/2.0 099 Low\r\n",
            "SIP/2.0 2000 OK\r\n", "SIP/3.0 200 OK\r\n", ""})
    void anythingElseIsNoStatus(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        assertThat(SipLoad.status(b, b.length)).isEqualTo(-1);
    }
}
