package dev.d2r2.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.d2r2.core.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code d2r2 demo --headless} as CI runs it: the whole story in its shortest length, on the real
 * clock (the flood, the crash, the sick server indicted by the diagnosis, drained, cleared and put
 * back, then a host at risk whose server moves live to a spare through the policy, the edge
 * following, while calls go on; the broker on three replicas whose leader is killed during the flood and
 * restarted), with the report it writes — its figures in the order the story gives them, and its exit
 * code true to its floors. Whether the times meet their floors is measured by
 * {@code bench/demo.sh}, on a machine that runs nothing else.
 */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void theDemoTellsTheWholeStoryAndReportsItsFloors() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        Path report = dir.resolve("report.json");
        int exit;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            exit = Main.commandLine().execute("demo", "--headless", "--duration", "30s", "--report", report.toString());
        } finally {
            System.setOut(saved);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        saved.println(printed);
        assertThat(printed).contains("== flood", "alert from chronicle FloodingAttack", "deploy sip-edge/block",
                "flooding cleared", "revoke sip-edge/block", "== crash", "-> down", "-> up", "== sick", "diagnosis.indicted",
                "deploy edge-drain/drain", "diagnosis.cleared", "revoke edge-drain/drain", "== at-risk",
                "at risk: crash of the host, predicted", "deploy migrate/migrate-live (rule migrate-live-before-the-host-fails)",
                "deploy ok", "-> moved", "== migrated: s2 serves at", "resilience report");
        JsonNode r = ConfigLoader.json().readTree(report.toFile());
        assertThat(r.get("flood_detection_s").asDouble()).isPositive();
        assertThat(r.get("flood_remediation_s").asDouble()).isGreaterThanOrEqualTo(r.get("flood_detection_s").asDouble());
        // Until the block lands, the edge relays the flood (2,000 INVITEs and 4,000 answers a second) on two cores that the
        // flood's own generator, the servers and the three broker replicas share: its socket can overflow and lose a legitimate
        // call's BYE, whose call started before the flood. Whether the 0.99 floor is met is measured by bench/demo.sh.
        assertThat(r.get("legit_success_before").asDouble()).isGreaterThanOrEqualTo(0.9);
        assertThat(r.get("legit_success_during_flood").asDouble()).isGreaterThanOrEqualTo(0.9);
        assertThat(r.get("legit_success_after").asDouble()).isGreaterThanOrEqualTo(0.99);
        assertThat(r.get("crash_detection_s").asDouble()).isPositive();
        assertThat(r.get("crash_recovery_s").asDouble()).isGreaterThan(r.get("crash_detection_s").asDouble());
        assertThat(r.get("established_calls_dropped").asLong()).isZero();
        assertThat(r.get("in_dialog_failovers").asLong()).as("the crashed server's calls ended on its peers").isPositive();
        assertThat(r.get("availability").asDouble()).isGreaterThanOrEqualTo(0.99);
        assertThat(r.get("mttr_s").asDouble()).isPositive();
        assertThat(r.get("attack_requests_blocked").asLong()).isPositive();
        assertThat(r.get("culprit_indicted_s").asDouble()).as("the CPU hog's server indicted").isPositive();
        assertThat(r.get("culprit_drained_s").asDouble()).isGreaterThanOrEqualTo(r.get("culprit_indicted_s").asDouble());
        assertThat(r.get("culprit_returned_s").asDouble()).as("cleared and put back at the edge")
                .isGreaterThan(r.get("culprit_drained_s").asDouble());
        Matcher culprit = Pattern.compile("== sick: SIP server s3 \\((\\S+)\\)").matcher(printed);
        assertThat(culprit.find()).isTrue();
        assertThat(printed.lines().filter(l -> l.contains("diagnosis.indicted")).toList()).as("nobody but the culprit indicted")
                .isNotEmpty().allMatch(l -> l.endsWith(" " + culprit.group(1)));
        assertThat(r.get("migration_downtime_s").asDouble()).as("s2 moved live: what its migration reports").isPositive();
        assertThat(r.get("calls_dropped_by_migration").isNumber()).isTrue();
        assertThat(r.get("calls_dropped_by_migration").asLong()).as("no call failed around the move").isZero();
        assertThat(printed.indexOf("== migrated")).as("the phases in the story's order").isGreaterThan(printed.indexOf("== at-risk"))
                .isGreaterThan(printed.indexOf("== cured"));
        assertThat(r.get("scale_out_s").asDouble()).as("a clone served a call after the scale-out decision").isPositive();
        assertThat(r.get("scale_in_s").asDouble()).as("the clone drained and stopped after the scale-in decision").isPositive();
        assertThat(r.get("calls_failed_during_scaling").isNumber()).isTrue();
        assertThat(r.get("calls_dropped_on_scale_in").asLong()).as("no call failed around the drain").isZero();
        assertThat(printed).contains("deploy scaler/scale-out", "deploy scaler/scale-in", "scale.instance");
        assertThat(printed.indexOf("== scaled-in")).as("the phases in the story's order").isGreaterThan(printed.indexOf("== scaled-out"))
                .isGreaterThan(printed.indexOf("== overload")).isLessThan(printed.indexOf("== at-risk"));
        assertThat(r.get("threat_contexts").asLong())
                .as("a context for each of the 40 flooders (more when one, seen quiet on a loaded machine, comes back)")
                .isGreaterThanOrEqualTo(40);
        Matcher killed = Pattern.compile("broker leader (b\\d) killed").matcher(printed);
        assertThat(killed.find()).as("the broker's leader replica killed").isTrue();
        assertThat(killed.start()).as("during the flood").isGreaterThan(printed.indexOf("== flood"))
                .isLessThan(printed.indexOf("== recovering"));
        Matcher took = Pattern.compile("broker leader " + killed.group(1) + " -> (b\\d)").matcher(printed);
        assertThat(took.find(killed.end())).as("another replica took the lead").isTrue();
        assertThat(took.group(1)).isNotEqualTo(killed.group(1));
        assertThat(printed).contains("broker replica " + killed.group(1) + " restarted");
        assertThat(r.get("broker_failover_s").asDouble()).as("an event acknowledged by the new leader after the kill").isPositive();
        assertThat(r.get("events_lost").isNumber()).as("the witness's events read back from every replica").isTrue();
        assertThat(r.get("events_lost").asLong()).as("no acknowledged event lost").isZero();
        boolean floorsMet = true;
        for (JsonNode floor : r.get("floors")) {
            double value = floor.get("value").asDouble();
            double bound = floor.get("bound").asDouble();
            boolean met = floor.get("atMost").asBoolean() ? value <= bound : value >= bound;
            assertThat(floor.get("met").asBoolean()).as(floor.toString()).isEqualTo(met);
            floorsMet &= met;
        }
        assertThat(exit).as("exit 0 exactly when every floor is met (the times are measured by bench/demo.sh)")
                .isEqualTo(floorsMet ? 0 : 1);
    }
}
