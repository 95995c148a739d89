package dev.d2r2.sip.edge;

import dev.d2r2.core.ManualClock;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Where the edge sends a message, decided without a socket: a call's INVITE, its 200, its BYE, and the refusals. */
class RouterTest {
    private static final String EDGE = "127.0.0.1:5060";
    private static final InetSocketAddress CALLER = new InetSocketAddress("127.0.0.1", 6000);
    private final ManualClock clock = new ManualClock(1_000_000);
    private final EdgeCounters counters = new EdgeCounters();
    private final List<BackendEvent> changes = new ArrayList<>();
    private final Backend first = new Backend(new InetSocketAddress("127.0.0.1", 5071), 1);
    private final Backend second = new Backend(new InetSocketAddress("127.0.0.1", 5072), 1);
    private final ByteBuffer out = ByteBuffer.allocate(SipParser.MAX_MESSAGE);
    private final Route route = new Route();
    private BackendSet backends;
    private Dialogs dialogs;
    private Enforcement enforcement;
    private Router router;

    @BeforeEach
    void edge() {
        backends = new BackendSet(List.of(first, second), clock, counters, changes::add);
        dialogs = new Dialogs(clock, counters, backends);
        enforcement = new Enforcement(clock);
        router = new Router(EDGE, backends, dialogs, enforcement, counters, id -> false);
    }

    private static SipMessage parse(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return SipParser.datagram(b, 0, b.length);
    }

    private static String request(String method, String toTag, String extra) {
        return method + " sip:bob@example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:6000;branch=z9hG4bK-" + method + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@example.com>;tag=a\r\n"
                + "To: <sip:bob@example.com>" + toTag + "\r\n"
                + "Call-ID: call-1\r\n"
                + "CSeq: 1 " + method + "\r\n"
                + extra
                + "Content-Length: 0\r\n\r\n";
    }

    private String sent() {
        return new String(out.array(), 0, out.position(), StandardCharsets.US_ASCII);
    }

    /** The response the backend sends for what the edge forwarded: its Vias, 200 and a To tag. */
    private String answerTo(String forwarded, String method) {
        StringBuilder vias = new StringBuilder();
        for (String line : forwarded.split("\r\n")) {
            if (line.startsWith("Via:")) {
                vias.append(line).append("\r\n");
            }
        }
        return "SIP/2.0 200 OK\r\n" + vias + "From: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.com>;tag=b\r\n"
                + "Call-ID: call-1\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n";
    }

    @Test
    void aCallGoesToOneBackendWithTheEdgeInItsRouteAndEndsWithItsBye() {
        assertThat(router.route(parse(request("INVITE", "", "")), CALLER, Route.NO_CONNECTION, out, route)).isTrue();
        Backend chosen = backends.at(route.to);
        assertThat(chosen).isIn(first, second);
        String invite = sent();
        assertThat(invite).startsWith("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP " + EDGE + ";branch=z9hG4bK")
                .contains("Record-Route: <sip:" + EDGE + ";lr;d2r2-b=" + chosen.id() + ">\r\n")
                .contains("Max-Forwards: 69\r\n");

        assertThat(router.route(parse(answerTo(invite, "INVITE")), chosen.address(), Route.NO_CONNECTION, out, route)).isTrue();
        assertThat(route.to).isEqualTo(CALLER);
        assertThat(sent()).doesNotContain(EDGE);
        assertThat(dialogs.size()).isEqualTo(1);
        assertThat(chosen.activeDialogs()).isEqualTo(1);

        assertThat(router.route(parse(request("BYE", ";tag=b", "")), CALLER, Route.NO_CONNECTION, out, route)).isTrue();
        assertThat(route.to).as("a BYE without a Route goes to the dialog's backend").isEqualTo(chosen.address());
        assertThat(router.route(parse(answerTo(sent(), "BYE")), chosen.address(), Route.NO_CONNECTION, out, route)).isTrue();
        assertThat(dialogs.size()).isZero();
        assertThat(counters.get(EdgeCounter.DIALOGS_STARTED)).isEqualTo(1);
        assertThat(counters.get(EdgeCounter.DIALOGS_ENDED)).isEqualTo(1);
        assertThat(counters.get(EdgeCounter.FORWARDED_REQUEST)).isEqualTo(2);
        assertThat(counters.get(EdgeCounter.FORWARDED_RESPONSE)).isEqualTo(2);
    }

    @Test
    void anInDialogRequestFollowsTheBackendItsRouteNamesEvenFromAnotherCallId() {
        String routeHeader = "Route: <sip:" + EDGE + ";lr;d2r2-b=" + second.id() + ">\r\n";
        for (int i = 0; i < 5; i++) {
            String bye = request("BYE", ";tag=b", routeHeader).replace("call-1", "call-" + i);
            assertThat(router.route(parse(bye), CALLER, Route.NO_CONNECTION, out, route)).isTrue();
            assertThat(route.to).isEqualTo(second.address());
            assertThat(sent()).doesNotContain("Route: <sip:" + EDGE);
        }
    }

    @Test
    void whenTheDialogsBackendIsDownItsRequestsFailOverToOneUp() {
        String routeHeader = "Route: <sip:" + EDGE + ";lr;d2r2-b=" + second.id() + ">\r\n";
        second.markDown(0);
        assertThat(router.route(parse(request("BYE", ";tag=b", routeHeader)), CALLER, Route.NO_CONNECTION, out, route)).isTrue();
        assertThat(route.to).isEqualTo(first.address());
        assertThat(counters.get(EdgeCounter.FAILOVER_IN_DIALOG)).isEqualTo(1);
    }

    @Test
    void withNoBackendUpANewCallIsAnswered503ToTheCaller() {
        first.markDown(0);
        second.markDown(0);
        assertThat(router.route(parse(request("INVITE", "", "")), CALLER, Route.NO_CONNECTION, out, route)).isTrue();
        assertThat(route.to).isEqualTo(CALLER);
        assertThat(sent()).startsWith("SIP/2.0 503 Service Unavailable\r\n").contains("Retry-After: 5\r\n");
        assertThat(counters.snapshot(backends.all())).containsEntry("answered.503", 1L);
    }

    @Test
    void aBlockedCallerIsDroppedAndCountedAndABadRequestIsAnswered400() {
        enforcement.block("sip:alice@example.com", clock.millis() + 60_000);
        assertThat(router.route(parse(request("INVITE", "", "")), CALLER, Route.NO_CONNECTION, out, route)).isFalse();
        assertThat(counters.get(EdgeCounter.DROPPED_BLOCKED)).isEqualTo(1);
        assertThat(router.route(parse(request("INVITE", "", "").replace("CSeq: 1 INVITE", "CSeq: x INVITE")), CALLER,
                Route.NO_CONNECTION, out, route)).isTrue();
        assertThat(sent()).startsWith("SIP/2.0 400 Bad CSeq\r\n");
        assertThat(route.to).isEqualTo(CALLER);
    }

    @Test
    void aResponseNotViaTheEdgeIsDroppedAndThreeBusyAnswersTakeABackendDown() {
        String stray = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=a\r\n"
                + "To: <sip:b@b>;tag=b\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
        assertThat(router.route(parse(stray), first.address(), Route.NO_CONNECTION, out, route)).isFalse();
        assertThat(counters.get(EdgeCounter.DROPPED_NOT_OUR_VIA)).isEqualTo(1);
        for (int i = 0; i < BackendSet.DOWN_AFTER_503; i++) {
            assertThat(router.route(parse(request("INVITE", "", "").replace("call-1", "c" + i)), CALLER, Route.NO_CONNECTION, out,
                    route)).isTrue();
            assertThat(first.up()).isTrue();
            String busy = answerTo(sent(), "INVITE").replace("200 OK", "503 Service Unavailable");
            assertThat(router.route(parse(busy), first.address(), Route.NO_CONNECTION, out, route)).isTrue();
        }
        assertThat(first.up()).isFalse();
        assertThat(changes).extracting(BackendEvent::state).contains("down");
    }

    @Test
    void routingCallsMakesNoGarbageButEachDialogsEntry() {
        int calls = 64;
        byte[][] messages = new byte[calls * 5][];
        InetSocketAddress[] sources = new InetSocketAddress[messages.length];
        for (int c = 0; c < calls; c++) {
            String callId = "call-" + c;
            assertThat(router.route(parse(request("INVITE", "", "").replace("call-1", callId)), CALLER, Route.NO_CONNECTION, out, route))
                    .isTrue();
            Backend chosen = backends.at(route.to);
            String invite = sent();
            String recordRoute = invite.substring(invite.indexOf("Record-Route: ") + 14, invite.indexOf(">\r\n", invite.indexOf("Record-Route: ")) + 1);
            String routeHeader = "Route: " + recordRoute + "\r\n";
            String[] call = {request("INVITE", "", "").replace("call-1", callId), answerTo(invite, "INVITE").replace("call-1", callId),
                    request("ACK", ";tag=b", routeHeader).replace("call-1", callId), request("BYE", ";tag=b", routeHeader).replace("call-1", callId),
                    null};
            assertThat(router.route(parse(call[3]), CALLER, Route.NO_CONNECTION, out, route)).isTrue();
            call[4] = answerTo(sent(), "BYE").replace("call-1", callId);
            InetSocketAddress[] from = {CALLER, chosen.address(), CALLER, CALLER, chosen.address()};
            for (int i = 0; i < 5; i++) {
                messages[c * 5 + i] = call[i].getBytes(StandardCharsets.US_ASCII);
                sources[c * 5 + i] = from[i];
            }
        }
        SipMessage reused = new SipMessage();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        long before = 0;
        int rounds = 400;
        int dropped = 0;
        for (int round = 0; round < 2 * rounds; round++) {
            if (round == rounds) {
                before = threads.getThreadAllocatedBytes(thread);
            }
            for (int i = 0; i < messages.length; i++) {
                if (!router.route(SipParser.datagram(reused, messages[i], 0, messages[i].length), sources[i], Route.NO_CONNECTION, out, route)) {
                    dropped++;
                }
            }
        }
        long perMessage = (threads.getThreadAllocatedBytes(thread) - before) / ((long) rounds * messages.length);
        assertThat(dropped).isZero();
        assertThat(dialogs.size()).as("every call ended").isZero();
        assertThat(counters.get(EdgeCounter.DIALOGS_ENDED)).isEqualTo(2L * rounds * calls);
        assertThat(perMessage).as("bytes allocated per message: a dialog's entry is made once per call, nothing else")
                .isLessThan(64);
    }
}
