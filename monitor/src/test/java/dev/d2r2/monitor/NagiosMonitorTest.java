package dev.d2r2.monitor;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.monitor.events.AlarmEvent;
import dev.d2r2.monitor.events.MonitorEvents;
import dev.d2r2.monitor.events.ProbeError;
import dev.d2r2.monitor.events.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nagios plugins (shell scripts written here) probed by a real monitoring peer on a real
 * in-process broker: the plugin's state is a sample, its alarms carry the state as their value,
 * and a plugin that gives no answer publishes {@code <name>.error} like any other probe.
 */
class NagiosMonitorTest {
    @TempDir
    Path dir;

    @Test
    void pluginStatesAreSamplesAndAlarmValuesAndPluginsThatCannotAnswerAreErrors() throws Exception {
        Path ok = plugin("check_ok", "echo 'OK - fine | time=0.012s;1;2'; exit 0");
        Path warn = plugin("check_warn", "echo 'WARNING - slow'; exit 1");
        Path crit = plugin("check_crit", "echo 'CRITICAL - down'; exit 2");
        Path hung = plugin("check_hung", "sleep 20; exit 0");
        Path missing = dir.resolve("check_missing");
        MonitorConfig config = ConfigLoader.parse("m.yaml", """
                services:
                  - name: ok
                    probes: [{kind: nagios, command: ["%s"], interval: 200ms, timeout: 5s}]
                  - name: warn
                    probes: [{kind: nagios, command: ["%s"], interval: 200ms, timeout: 5s}]
                  - name: crit
                    probes: [{kind: nagios, command: ["%s"], interval: 200ms, timeout: 5s}]
                  - name: hung
                    probes: [{kind: nagios, command: ["%s"], interval: 1s, timeout: 300ms}]
                  - name: missing
                    probes: [{kind: nagios, command: ["%s"], interval: 200ms}]
                """.formatted(ok, warn, crit, hung, missing), MonitorConfig.class);
        try (Broker broker = Broker.open(dir.resolve("broker"), Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("metrics", "alarms")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            List<Event> alarms = new CopyOnWriteArrayList<>();
            List<Event> metrics = new CopyOnWriteArrayList<>();
            try (Subscription a = admin.subscribe("alarms", StartPosition.live(), d -> alarms.add(event(d)));
                 Subscription m = admin.subscribe("metrics", StartPosition.live(), d -> metrics.add(event(d)));
                 Monitor monitor = new Monitor(config, admin, Clock.system()).start()) {
                await().atMost(Duration.ofSeconds(20)).until(() -> List.of("ok", "warn", "crit", "hung", "missing").stream()
                        .allMatch(s -> firstAlarm(alarms, s) != null));

                assertThat(stateSamples(metrics, "ok", "nagios.check_ok")).isNotEmpty().containsOnly(0.0);
                assertThat(stateSamples(metrics, "warn", "nagios.check_warn")).isNotEmpty().containsOnly(1.0);
                assertThat(stateSamples(metrics, "crit", "nagios.check_crit")).isNotEmpty().containsOnly(2.0);
                assertThat(stateSamples(metrics, "ok", "nagios.check_ok.time")).as("performance data too").contains(0.012);

                assertAlarm(firstAlarm(alarms, "ok"), "nagios.check_ok", AlarmEvent.OK, 0.0, "OK - fine");
                assertAlarm(firstAlarm(alarms, "warn"), "nagios.check_warn", AlarmEvent.WARNING, 1.0, "WARNING - slow");
                assertAlarm(firstAlarm(alarms, "crit"), "nagios.check_crit", AlarmEvent.CRITICAL, 2.0, "CRITICAL - down");

                await().atMost(Duration.ofSeconds(10)).until(() -> !errors(metrics, "hung").isEmpty() && !errors(metrics, "missing").isEmpty());
                assertThat(errors(metrics, "hung")).allSatisfy(e -> {
                    assertThat(e.probe()).isEqualTo("nagios.check_hung");
                    assertThat(e.error()).contains("timed out after 300 ms");
                });
                assertThat(errors(metrics, "missing")).allSatisfy(e -> {
                    assertThat(e.probe()).isEqualTo("nagios.check_missing");
                    assertThat(e.error()).contains("cannot run " + missing);
                });
                for (String s : List.of("hung", "missing")) {
                    AlarmEvent unknown = firstAlarm(alarms, s);
                    assertThat(unknown.to()).isEqualTo(AlarmEvent.UNKNOWN);
                    assertThat(unknown.error()).isEqualTo(errors(metrics, s).getFirst().error());
                    assertThat(unknown.value()).as("no state was reported").isNull();
                    assertThat(stateSamples(metrics, s, "nagios.check_" + s)).as("a plugin that gave no answer has no state").isEmpty();
                }
                assertThat(errors(metrics, "ok")).isEmpty();
            }
        }
    }

    private Path plugin(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private static void assertAlarm(AlarmEvent a, String metric, String to, double value, String output) {
        assertThat(a.metric()).isEqualTo(metric);
        assertThat(a.to()).isEqualTo(to);
        assertThat(a.value()).isEqualTo(value);
        assertThat(a.output()).isEqualTo(output);
    }

    private static List<Double> stateSamples(List<Event> metrics, String service, String metric) {
        return metrics.stream().filter(e -> MonitorEvents.SAMPLE.matches(e.type()) && !MonitorEvents.PROBE_ERROR.matches(e.type()))
                .map(NagiosMonitorTest::sample)
                .filter(s -> s.service().equals(service) && s.metric().equals(metric)).map(Sample::value).toList();
    }

    private static List<ProbeError> errors(List<Event> metrics, String service) {
        return metrics.stream().filter(e -> MonitorEvents.PROBE_ERROR.matches(e.type()) && e.source().equals(service))
                .map(NagiosMonitorTest::error).toList();
    }

    private static AlarmEvent firstAlarm(List<Event> alarms, String service) {
        return alarms.stream().filter(e -> e.source().equals(service)).findFirst().map(NagiosMonitorTest::alarm).orElse(null);
    }

    private static Sample sample(Event e) {
        try {
            return Sample.from(e);
        } catch (EventFormatException x) {
            throw new AssertionError(x);
        }
    }

    private static ProbeError error(Event e) {
        try {
            return ProbeError.from(e);
        } catch (EventFormatException x) {
            throw new AssertionError(x);
        }
    }

    private static AlarmEvent alarm(Event e) {
        try {
            return AlarmEvent.from(e);
        } catch (EventFormatException x) {
            throw new AssertionError(x);
        }
    }

    private static Event event(Delivery d) {
        try {
            return d.event();
        } catch (EventFormatException e) {
            throw new AssertionError(e);
        }
    }
}
