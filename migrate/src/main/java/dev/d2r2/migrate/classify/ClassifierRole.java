package dev.d2r2.migrate.classify;

import dev.d2r2.core.Event;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.migrate.classify.ClassifierConfig.Alarm;
import dev.d2r2.migrate.classify.ClassifierConfig.Check;
import dev.d2r2.migrate.classify.FailureClassifier.Verdict;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.migrate.events.AnswerJudged;
import dev.d2r2.migrate.events.HostAtRisk;
import dev.d2r2.migrate.events.MigrateEvents;

import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The failure classifier of one host as an agent: the monitor's events come in (probe values
 * and errors, alarm transitions), those of the configured checks feed its
 * {@link FailureClassifier}, and each change of its verdict (class, location, predictability)
 * goes out as a {@link HostAtRisk}, stamped with the event's time. A host that recovers is
 * announced again when it is next at risk. With a {@code judge}, the answer judge's verdicts on
 * the service's answers come in too (right or wrong: a Byzantine failure). Events of other
 * sources or types are ignored; a probe value that is not a number, or a verdict that does not
 * read, is counted as malformed.
 */
public final class ClassifierRole implements Agent {
    private static final Set<String> UP = Set.of("warning", "critical");

    private final ClassifierConfig config;
    private final FailureClassifier classifier;
    private final Consumer<HostAtRisk> out;
    private Optional<Verdict> last = Optional.empty();
    private long malformed;
    private long published;

    public ClassifierRole(ClassifierConfig config, Consumer<HostAtRisk> out) {
        this.config = config;
        this.classifier = new FailureClassifier(config.thresholds());
        this.out = out;
    }

    @Override
    public String roleName() {
        return "migration-classifier";
    }

    @Override
    public void onMessage(Object message) {
        if (message instanceof Event e && feed(e)) {
            Optional<Verdict> now = classifier.verdict();
            if (!now.map(ClassifierRole::cell).equals(last.map(ClassifierRole::cell))) {
                now.ifPresent(v -> {
                    published++;
                    out.accept(new HostAtRisk(e.time(), config.host(), v.failure().name(), v.location().name(), v.predictable(),
                            config.spare(), v.evidence()));
                });
            }
            last = now;
        }
    }

    /** The verdict as the strategy table sees it. */
    private static String cell(Verdict v) {
        return v.failure() + "/" + v.location() + "/" + v.predictable();
    }

    /** Feeds the event to the classifier; false when it is none of the configured checks'. */
    private boolean feed(Event e) {
        Check service = config.service();
        if (!e.isState() && service.answers(e.type(), e.source())) {
            if (!(e.attrs().get("value") instanceof Number rtt)) {
                malformed++;
                return false;
            }
            classifier.answered(rtt.doubleValue());
        } else if (!e.isState() && service.fails(e.type(), e.source())) {
            classifier.lost();
        } else if (!e.isState() && isCheck(config.hostCheck(), e)) {
            classifier.host(config.hostCheck().answers(e.type(), e.source()));
        } else if (!e.isState() && isCheck(config.networkCheck(), e)) {
            classifier.network(config.networkCheck().answers(e.type(), e.source()));
        } else if (!e.isState() && e.type().equals(MigrateEvents.ANSWER_JUDGED.name())
                && (e.source().equals(config.judge()) || e.source().equals(config.peerJudge()))) {
            return judged(e, e.source().equals(config.judge()));
        } else if (e.isState() && config.warnings().contains(new Alarm(e.type(), e.source()))) {
            classifier.warning(e.type(), UP.contains(e.to()));
        } else {
            return false;
        }
        return true;
    }

    /** A verdict of the judge: right or wrong feed the classifier; refused and lost are the probes' business. */
    private boolean judged(Event e, boolean own) {
        AnswerJudged j;
        try {
            j = AnswerJudged.from(e);
        } catch (EventFormatException x) {
            malformed++;
            return false;
        }
        boolean right = j.verdict().equals(AnswerJudge.Verdict.right.name());
        if (!right && !j.verdict().equals(AnswerJudge.Verdict.wrong.name())) {
            return false;
        }
        if (!own) {
            classifier.peerJudged(right);
        } else {
            classifier.judged(right ? null : j.why().isEmpty() ? "wrong" : j.why());
        }
        return true;
    }

    private static boolean isCheck(Check check, Event e) {
        return check != null && (check.answers(e.type(), e.source()) || check.fails(e.type(), e.source()));
    }

    /** Probe values that were not numbers; read after the agent stopped. */
    public long malformed() {
        return malformed;
    }

    /** Verdicts published; read after the agent stopped. */
    public long published() {
        return published;
    }
}
