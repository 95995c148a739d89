package dev.d2r2.app.demo;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's resilience report. Times in seconds from the incident (flood start, crash) to the
 * step; success ratios of the legitimate calls started before, during and after the flood;
 * {@code availability} the share of all legitimate calls that succeeded; {@code mttr_s} the mean
 * of the two incidents' times to recover (flood: remediation in force; crash: back in rotation);
 * {@code in_dialog_failovers} the in-dialog requests (the crashed server's calls' BYEs) the edge
 * sent to a peer holding the call's replica; {@code culprit_*_s} the sick server's times from its CPU
 * hog's start to its indictment by the diagnosis, its drain at the edge and its return after its
 * clearance; {@code migration_downtime_s} the host-at-risk phase's live migration's downtime as it
 * reports it (from its source pausing the server to the target serving: the stop-and-copy and the
 * redirect), null when the server did not move; {@code calls_dropped_by_migration} the legitimate
 * calls started around the move (from a call's length before its phase to its end) that failed;
 * {@code scale_out_s} the overload phase's time from the scale-out decision to the first call served
 * on the clone, {@code scale_in_s} from the scale-in decision to the clone stopped after its drain,
 * {@code calls_failed_during_scaling} and {@code calls_dropped_on_scale_in} the legitimate calls
 * started around each (from a call's length before its decision to its end) that failed;
 * {@code broker_failover_s} the time from the kill of the broker's leader replica during the flood
 * to the first event of the demo's witness publisher acknowledged by the new leader, and
 * {@code events_lost} the witness's acknowledged events missing from a replica's log, read back
 * from all three after the story (both null on the lone broker of a recording run, {@code --dir}).
 */
public record Report(@JsonProperty("flood_detection_s") Double floodDetection,
                     @JsonProperty("flood_remediation_s") Double floodRemediation,
                     @JsonProperty("legit_success_before") Double legitBefore,
                     @JsonProperty("legit_success_during_flood") Double legitDuringFlood,
                     @JsonProperty("legit_success_after") Double legitAfter,
                     @JsonProperty("crash_detection_s") Double crashDetection,
                     @JsonProperty("crash_recovery_s") Double crashRecovery,
                     @JsonProperty("established_calls_dropped") long establishedDropped,
                     @JsonProperty("in_dialog_failovers") long inDialogFailovers,
                     @JsonProperty("availability") Double availability,
                     @JsonProperty("mttr_s") Double mttr,
                     @JsonProperty("legit_calls") long legitCalls,
                     @JsonProperty("legit_setup_p99_ms") Double legitSetupP99,
                     @JsonProperty("attack_requests_blocked") long attackBlocked,
                     @JsonProperty("threat_contexts") long threatContexts,
                     @JsonProperty("culprit_indicted_s") Double culpritIndicted,
                     @JsonProperty("culprit_drained_s") Double culpritDrained,
                     @JsonProperty("culprit_returned_s") Double culpritReturned,
                     @JsonProperty("migration_downtime_s") Double migrationDowntime,
                     @JsonProperty("calls_dropped_by_migration") long droppedByMigration,
                     @JsonProperty("scale_out_s") Double scaleOut,
                     @JsonProperty("scale_in_s") Double scaleIn,
                     @JsonProperty("calls_failed_during_scaling") long failedDuringScaling,
                     @JsonProperty("calls_dropped_on_scale_in") long droppedOnScaleIn,
                     @JsonProperty("broker_failover_s") Double brokerFailover,
                     @JsonProperty("events_lost") Long eventsLost,
                     @JsonProperty("finished") boolean finished,
                     @JsonProperty("phases") List<Map<String, Object>> phases) {

    /** A floor of the issue: the figure, its bound, and whether it is met. */
    public record Floor(String name, Double value, double bound, boolean atMost, boolean met) {
    }

    /**
     * Flood detection ≤ 1 s, remediation ≤ 1.5 s, legitimate success during the flood ≥ 99 %, crash detection ≤ 1 s, 0 dropped,
     * 0 dropped by the migration, 0 failed during the scale-out, 0 dropped on the scale-in; on the
     * broker's replicas, once counted after the story, 0 acknowledged events lost.
     */
    @JsonProperty("floors")
    public List<Floor> floors() {
        List<Floor> f = new ArrayList<>();
        f.add(atMost("flood_detection_s", floodDetection, 1.0));
        f.add(atMost("flood_remediation_s", floodRemediation, 1.5));
        f.add(atLeast("legit_success_during_flood", legitDuringFlood, 0.99));
        f.add(atMost("crash_detection_s", crashDetection, 1.0));
        f.add(atMost("established_calls_dropped", (double) establishedDropped, 0));
        f.add(atMost("calls_dropped_by_migration", (double) droppedByMigration, 0));
        f.add(atMost("calls_failed_during_scaling", (double) failedDuringScaling, 0));
        f.add(atMost("calls_dropped_on_scale_in", (double) droppedOnScaleIn, 0));
        if (eventsLost != null) {
            f.add(atMost("events_lost", (double) eventsLost, 0));
        }
        return f;
    }

    public boolean floorsMet() {
        return floors().stream().allMatch(Floor::met);
    }

    private static Floor atMost(String name, Double v, double bound) {
        return new Floor(name, v, bound, true, v != null && v <= bound);
    }

    private static Floor atLeast(String name, Double v, double bound) {
        return new Floor(name, v, bound, false, v != null && v >= bound);
    }

    /** The summary printed at the end. */
    public String summary() {
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("flood detected after", seconds(floodDetection));
        lines.put("flood remediated after", seconds(floodRemediation));
        lines.put("legitimate calls ok before / during / after the flood", percent(legitBefore) + " / " + percent(legitDuringFlood)
                + " / " + percent(legitAfter));
        lines.put("crash detected after", seconds(crashDetection));
        lines.put("crashed server back in rotation after", seconds(crashRecovery));
        lines.put("established calls dropped", establishedDropped + " (" + inDialogFailovers
                + " in-dialog requests failed over to a peer)");
        lines.put("availability (legitimate calls ok)", percent(availability) + " of " + legitCalls);
        lines.put("MTTR", seconds(mttr));
        lines.put("attack requests blocked at the edge", Long.toString(attackBlocked));
        lines.put("sick server indicted / drained / back after", seconds(culpritIndicted) + " / " + seconds(culpritDrained) + " / "
                + seconds(culpritReturned));
        lines.put("host at risk: server moved live, downtime", seconds(migrationDowntime));
        lines.put("calls dropped by the migration", Long.toString(droppedByMigration));
        lines.put("overload: scale-out decision to a call on the clone", seconds(scaleOut));
        lines.put("overload over: scale-in decision to the clone stopped", seconds(scaleIn));
        lines.put("calls failed during the scale-out / dropped on the scale-in", failedDuringScaling + " / " + droppedOnScaleIn);
        lines.put("broker leader killed: failover to an acknowledged event", seconds(brokerFailover));
        lines.put("acknowledged events lost", eventsLost == null ? "—" : Long.toString(eventsLost));
        StringBuilder b = new StringBuilder("resilience report\n");
        lines.forEach((k, v) -> b.append(String.format("  %-55s %s%n", k, v)));
        for (Floor fl : floors()) {
            b.append(String.format("  floor %-49s %s (%s %s)%n", fl.name(), fl.met() ? "met" : "MISSED",
                    fl.atMost() ? "≤" : "≥", fl.bound()));
        }
        return b.toString();
    }

    private static String seconds(Double s) {
        return s == null ? "—" : String.format("%.3f s", s);
    }

    private static String percent(Double r) {
        return r == null ? "—" : String.format("%.2f %%", 100 * r);
    }
}
