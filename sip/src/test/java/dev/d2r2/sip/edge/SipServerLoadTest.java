package dev.d2r2.sip.edge;

import dev.d2r2.sip.load.SipLoad;
import dev.d2r2.sip.server.SipServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The built-in SIP server and load generator, alone and through the edge. */
class SipServerLoadTest {
    private static SipLoad.Plan plan(InetSocketAddress target, double rate, double floodRate) {
        return new SipLoad.Plan(target, rate, Duration.ofMillis(200), 10, floodRate, 50, "INVITE", Duration.ofSeconds(1));
    }

    @Test
    void everyLegitimateCallAndRegistrationSucceedsAgainstTheServer() throws Exception {
        try (SipServer server = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0)) {
            java.util.List<SipLoad.Outcome> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
            SipLoad.Report r = new SipLoad(plan(server.address(), 100, 0), (at, outcome, setup) -> heard.add(outcome)).run();
            assertThat(r.calls()).isBetween(95L, 105L);
            assertThat(r.callsOk()).isEqualTo(r.calls());
            assertThat(r.established()).isEqualTo(r.calls());
            assertThat(r.dropped()).isZero();
            assertThat(heard).hasSize((int) r.calls()).containsOnly(SipLoad.Outcome.OK);
            assertThat(r.registrationsOk()).isEqualTo(10);
            assertThat(r.setupMicros().getTotalCount()).isEqualTo(r.calls());
            assertThat(server.counters()).containsEntry("calls.started", r.calls()).containsEntry("calls.ended", r.calls());
            assertThat(server.registrations()).isEqualTo(10);
            assertThat(server.activeCalls()).isZero();
        }
    }

    @Test
    void beyondItsCallRateTheServerAnswers503() throws Exception {
        try (SipServer server = new SipServer(new InetSocketAddress("127.0.0.1", 0), 20, 0)) {
            SipLoad.Report r = new SipLoad(plan(server.address(), 100, 0)).run();
            assertThat(r.callsOk()).isBetween(15L, 45L);
            assertThat(server.counters().get("refused")).isEqualTo(r.calls() - r.callsOk());
            assertThat(r.established()).isEqualTo(r.callsOk());
        }
    }

    @Test
    void throughTheEdgeAFloodFromManySourcesIsBlockedAndLegitimateCallsAllSucceed() throws Exception {
        try (SipServer one = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
             SipServer two = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
             EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0),
                     List.of(new Backend(one.address(), 1), new Backend(two.address(), 1)), e -> { })) {
            edge.enforcement().block("127.1.0.0/16", System.currentTimeMillis() + 60_000);
            SipLoad.Report r = new SipLoad(plan(edge.address(), 100, 400)).run();
            assertThat(r.callsOk()).isEqualTo(r.calls());
            assertThat(r.attacks()).isBetween(380L, 420L);
            assertThat(r.attacks2xx()).isZero();
            assertThat(edge.counters().get("dropped.blocked")).isEqualTo(r.attacks());
            assertThat(one.counters().get("calls.started")).isPositive();
            assertThat(two.counters().get("calls.started")).isPositive();
        }
    }
}
