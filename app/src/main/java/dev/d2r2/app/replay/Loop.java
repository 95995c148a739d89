package dev.d2r2.app.replay;

import dev.d2r2.chronicle.Recognition;
import dev.d2r2.chronicle.Recognizer;
import dev.d2r2.chronicle.events.ChronicleAlert;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.ManualClock;
import dev.d2r2.diagnosis.DiagnosisStage;
import dev.d2r2.diagnosis.events.DiagnosisEvents;
import dev.d2r2.monitor.Thresholds;
import dev.d2r2.monitor.events.AlarmEvent;
import dev.d2r2.policy.PolicyEngine;
import dev.d2r2.policy.events.PolicyEvents;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The detection and remediation loop in virtual time: the thresholds' alarm generators, the
 * chronicle recognizer, the diagnosis stage and the policy engine — the classes the roles run
 * live — fed recorded events in order on one thread. Before each event the clock moves to its
 * time and every timer due by then fires, in time order: the policy's expiries and windows, the
 * diagnosis' window closes, and the recognizer's No-More-Event every {@link #CHRONICLE_TICK_MS},
 * as the chronicle role does. What a stage
 * publishes goes, after the event that caused it, to the stages that read its channel; the
 * recorded events of a channel a stage recomputes are left out. Actuators are replaced by
 * recorders: the engine runs dry, so its decisions are made and reported and nothing is called.
 * Deterministic: the same rules and records give the same outputs in the same order.
 */
public final class Loop implements RecordedLog.Reader {
    /** How often the recognizer is told that no event before {@code now - lateness} will come (as the chronicle role). */
    static final long CHRONICLE_TICK_MS = 100;

    private final Rules rules;
    private final Consumer<Output> out;
    private final Thresholds thresholds;
    private final Recognizer recognizer;
    private final DiagnosisStage diagnosis;
    private final ArrayDeque<Recorded> published = new ArrayDeque<>();
    private ManualClock clock;
    private PolicyEngine engine;
    private long nextChronicleTick = Long.MAX_VALUE;
    private long uncertainSince = Long.MAX_VALUE;
    private long recomputedAlarms;
    private long recomputedVerdicts;
    private long gaps;

    public Loop(Rules rules, Consumer<Output> out) {
        this.rules = rules;
        this.out = out;
        this.thresholds = rules.runsThresholds() ? new Thresholds(rules.monitor(), rules.peer()) : null;
        this.recognizer = rules.runsChronicles() ? new Recognizer(rules.chronicles(), rules.recognition(), this::recognized) : null;
        this.diagnosis = rules.runsDiagnosis() ? new DiagnosisStage(rules.diagnosis().config(), rules.diagnosis().profiles()) : null;
    }

    /** One recorded event, at its time (a record earlier than the clock is taken at the clock's time). */
    @Override
    public void record(Recorded r) {
        advanceTo(r.at());
        Event e = r.event();
        if (recomputedAlarm(r)) {
            if (AlarmEvent.isReassertion(e)) {
                alarm(thresholds.reassert(e.source(), e.type(), e.time()));
            }
        } else if (!recomputedAlert(r) && !recomputedVerdict(r)) {
            try {
                if (thresholds != null && r.channel().equals(rules.monitor().metrics())) {
                    thresholds.accept(e, this::alarm);
                }
                if (diagnosis != null && rules.diagnosis().config().inputs().contains(r.channel())) {
                    diagnosis.accept(e);
                }
            } catch (EventFormatException unreadable) {
                missing(new Output.Gap(r.channel(), e.time(), e.time(), 1));
            }
            deliver(r);
        }
        drain();
    }

    /** A recorded alarm of a metric the replay's thresholds watch: they make it again. */
    private boolean recomputedAlarm(Recorded r) {
        Event e = r.event();
        return thresholds != null && r.channel().equals(rules.monitor().alarms()) && e.isState() && e.source() != null
                && thresholds.watches(e.source(), e.type());
    }

    /** A recorded alert, when the replay's chronicles make them again. */
    private boolean recomputedAlert(Recorded r) {
        return recognizer != null && r.channel().equals(rules.alerts()) && ChronicleAlert.isAlert(r.event());
    }

    /** A recorded verdict of the diagnosis, when the replay's diagnosis makes them again. */
    private boolean recomputedVerdict(Recorded r) {
        return diagnosis != null && r.channel().equals(rules.diagnosis().config().channel()) && DiagnosisEvents.isVerdict(r.event());
    }

    /** A gap in the recorded input (or a sample the thresholds cannot read): what overlaps it is uncertain, from its start on. */
    @Override
    public void missing(Output.Gap gap) {
        gaps++;
        uncertainSince = Math.min(uncertainSince, gap.from());
        if (recognizer != null && rules.chronicleInputs().contains(gap.channel())) {
            recognizer.missing(gap.from(), gap.to());
        }
        out.accept(Output.missing(clock == null ? gap.from() : clock.millis(), gap));
    }

    /** The end of the range: fires what is due by {@code end}, and stops there as the recording did. */
    public void finish(long end) {
        if (clock != null) {
            advanceTo(end);
        }
    }

    /** Gaps in the input so far. */
    public long gaps() {
        return gaps;
    }

    private void start(long at) {
        clock = new ManualClock(at);
        if (recognizer != null) {
            nextChronicleTick = at;
        }
        if (rules.runsPolicy()) {
            engine = new PolicyEngine(rules.policy(), clock, null, Map.of(), null, this::policyEvent);
            engine.start();
            drain();
        }
    }

    /** Moves the clock to {@code time}, firing every timer due by then in time order. */
    private void advanceTo(long time) {
        if (clock == null) {
            start(time);
        }
        while (true) {
            long policyDue = engine == null ? Long.MAX_VALUE : engine.nextDue();
            long diagnosisDue = diagnosis == null ? Long.MAX_VALUE : diagnosis.nextDue(clock.millis());
            long next = Math.min(Math.min(policyDue, diagnosisDue), nextChronicleTick);
            if (next > time) {
                break;
            }
            moveTo(next);
            if (next == diagnosisDue) {
                diagnosis.close(next, this::verdict);
            }
            if (next == nextChronicleTick) {
                recognizer.noMoreEvents(next - rules.recognition().lateness());
                nextChronicleTick = next + CHRONICLE_TICK_MS;
            }
            if (next == policyDue) {
                engine.tick();
            }
            drain();
        }
        moveTo(time);
    }

    private void moveTo(long time) {
        if (time > clock.millis()) {
            clock.advance(Duration.ofMillis(time - clock.millis()));
        }
    }

    /** Hands an event of {@code channel} to the stages that read it. */
    private void deliver(Recorded r) {
        if (recognizer != null && rules.chronicleInputs().contains(r.channel())) {
            recognizer.accept(r.event());
        }
        if (engine != null && rules.policyInputs().contains(r.channel())) {
            engine.accept(r.event());
        }
    }

    /** Delivers what the stages published, in the order they did, until nothing more comes of it. */
    private void drain() {
        Recorded r;
        while ((r = published.poll()) != null) {
            deliver(r);
        }
    }

    private void alarm(AlarmEvent a) {
        if (a == null) {
            return;
        }
        String channel = rules.monitor().alarms();
        Event e = a.toEvent();
        e = new Event(channel + "#" + ++recomputedAlarms, e.type(), e.time(), e.source(), e.from(), e.to(), e.attrs());
        emit(Output.Kind.ALARM, channel, e);
    }

    /** What the diagnosis published: indictments and clearances are outputs; every verdict goes on to the stages that read its channel. */
    private void verdict(Event e) {
        String channel = rules.diagnosis().config().channel();
        Event named = new Event(channel + "#" + ++recomputedVerdicts, e.type(), e.time(), e.source(), e.from(), e.to(), e.attrs());
        if (DiagnosisEvents.INDICTED.matches(e.type()) || DiagnosisEvents.CLEARED.matches(e.type())) {
            emit(Output.Kind.DIAGNOSIS, channel, named);
        } else {
            published.add(new Recorded(channel, -1, clock.millis(), named));
        }
    }

    private void recognized(Recognition r) {
        emit(Output.Kind.ALERT, rules.alerts(), r.toAlert().toEvent());
    }

    private void policyEvent(Event e) {
        if (PolicyEvents.CONTEXT.matches(e.type())) {
            emit(Output.Kind.CONTEXT, rules.actions(), e);
        } else if (PolicyEvents.DECISION.matches(e.type())) {
            emit(Output.Kind.DECISION, rules.actions(), e);
        }
    }

    private void emit(Output.Kind kind, String channel, Event e) {
        long now = clock.millis();
        out.accept(Output.of(now, kind, e, now >= uncertainSince));
        published.add(new Recorded(channel, -1, now, e));
    }
}
