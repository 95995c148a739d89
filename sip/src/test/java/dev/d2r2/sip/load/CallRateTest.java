package dev.d2r2.sip.load;

import dev.d2r2.sip.server.SipServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ASMONIA's load profile: the rate keys, the ramp, and a run driven by them against a real SIP server. */
class CallRateTest {
    @Test
    void keysMoveTheRateByOneAndByTenPauseAndQuit() {
        CallRate r = CallRate.fixed(5);
        assertThat(r.key('+')).isEqualTo("rate 6 calls/s");
        assertThat(r.key('*')).isEqualTo("rate 16 calls/s");
        assertThat(r.key('/')).isEqualTo("rate 6 calls/s");
        r.key('-');
        assertThat(r.now()).isEqualTo(5);
        assertThat(r.key('/')).as("never below 0").isEqualTo("rate 0 calls/s");
        r.key('*');
        assertThat(r.key('p')).isEqualTo("paused");
        assertThat(r.now()).isZero();
        assertThat(r.key('+')).isEqualTo("rate 11 calls/s (paused)");
        assertThat(r.key('p')).isEqualTo("resumed at 11 calls/s");
        assertThat(r.now()).isEqualTo(11);
        assertThat(r.key('x')).isNull();
        assertThat(r.key('\n')).isNull();
        assertThat(r.quitting()).isFalse();
        r.key('q');
        assertThat(r.quitting()).isTrue();
        assertThat(r.now()).as("no new call once quitting").isZero();
    }

    @Test
    void aRampSetsTheRateAtItsTimes() {
        CallRate r = new CallRate(10, CallRate.parseRamp("5s:50, 15s:10,20s:0"));
        assertThat(r.advance(Duration.ofSeconds(4))).isNull();
        assertThat(r.now()).isEqualTo(10);
        assertThat(r.advance(Duration.ofSeconds(5))).isEqualTo("rate 50 calls/s");
        assertThat(r.advance(Duration.ofSeconds(30))).as("steps due together: the last wins").isEqualTo("rate 0 calls/s");
        assertThat(r.advance(Duration.ofSeconds(31))).isNull();
        r.key('+');
        assertThat(r.now()).as("keys still work after the ramp").isEqualTo(1);
    }

    @Test
    void aBadRampIsRefusedNamingItsStep() {
        assertThatThrownBy(() -> CallRate.parseRamp("5s:50,15s")).hasMessage("--ramp step '15s': expected AT:RATE, e.g. 5s:50");
        assertThatThrownBy(() -> CallRate.parseRamp("5s:50,2s:10")).hasMessage("--ramp step '2s:10': times must increase");
        assertThatThrownBy(() -> CallRate.parseRamp("5s:-1")).hasMessage("--ramp step '5s:-1': the rate must be a number of at least 0");
        assertThatThrownBy(() -> CallRate.parseRamp("soon:5")).hasMessageStartingWith("--ramp step 'soon:5': ");
        assertThatThrownBy(() -> CallRate.parseRamp("1s:many")).hasMessageStartingWith("--ramp step '1s:many': ");
        assertThat(CallRate.parseRamp("0s:20,500ms:0")).containsExactly(new CallRate.Step(Duration.ZERO, 20),
                new CallRate.Step(Duration.ofMillis(500), 0));
    }

    @Test
    @Timeout(120)
    void aRampStartsCallsFromARateOfZeroAndQuitEndsTheRunOnceTheCallsInProgressAreOver() throws Exception {
        try (SipServer server = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0)) {
            CallRate rate = new CallRate(0, CallRate.parseRamp("0s:20"));
            List<String> changes = new CopyOnWriteArrayList<>();
            SipLoad.Plan plan = new SipLoad.Plan(server.address(), 0, Duration.ofMillis(500), 5, 0, 1, "INVITE",
                    Duration.ofMinutes(10));
            SipLoad.Report report = new SipLoad(plan, (started, outcome, setup) -> rate.key('q'), rate, changes::add).run();
            assertThat(changes).containsExactly("rate 20 calls/s");
            assertThat(report.calls()).as("the ramp placed calls though the plan's rate is 0").isPositive();
            assertThat(report.callsOk()).as("the calls in progress when q came were finished, not dropped").isEqualTo(report.calls());
            assertThat(report.dropped()).isZero();
        }
    }
}
