package dev.d2r2.migrate.classify;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The seed's failure classification (class × location × predictability) of one host, from what
 * its probes saw; no clock, no sockets. The class comes from the last {@code window} probes of
 * the service: {@code crashAfter} lost in a row is a crash, {@code omissionAt} lost in the
 * window an omission, {@code lateAt} answered after the deadline a timing failure. The location
 * is the network when the last check of the host's network failed, the host when the last check
 * of the host itself failed or a warning is up on it (a disk, a temperature), else the service
 * (vm). A failure is predictable when a warning came first or the service still answers
 * (omission, timing): there is time to move its state. A warning alone, with the service
 * healthy, is a predicted crash of the host: the case for a live migration. A judge of the
 * service's answers ({@link AnswerJudge}) reports which were wrong: {@code byzantineAt} wrong of
 * its last {@code window} judgements is a Byzantine failure — the service answers, but not what
 * it should; it ranks after a crash and before an omission (a wrong answer is worse than none).
 * Where the same server runs on a peer host and is judged too, a Byzantine failure is the host's
 * when the peer's answers of the window were all right (the same software answers right
 * elsewhere: a driver, the hardware), else the service's own (vm: migrating it would move the
 * fault along).
 */
public final class FailureClassifier {
    public enum Failure { crash, byzantine, omission, timing }

    public enum Location { vm, host, network }

    private enum Probe { ANSWERED, LATE, LOST }

    /** How the service's probes are judged; every count is at least 1 and at most the window. */
    public record Thresholds(int window, int crashAfter, int omissionAt, int lateAt, long deadlineMs, int byzantineAt) {
        public Thresholds {
            if (window < 1 || crashAfter < 1 || crashAfter > window || omissionAt < 1 || omissionAt > window || lateAt < 1
                    || lateAt > window || deadlineMs < 1 || byzantineAt < 1 || byzantineAt > window) {
                throw new IllegalArgumentException("window, crash-after, omission-at, late-at and byzantine-at must be 1 to window,"
                        + " and the deadline positive");
            }
        }
    }

    public record Verdict(Failure failure, Location location, boolean predictable, String evidence) {
    }

    private final Thresholds thresholds;
    private final Deque<Probe> probes = new ArrayDeque<>();
    private final Deque<String> judged = new ArrayDeque<>(); // "" when right, else why it was wrong
    private final Deque<Boolean> peerJudged = new ArrayDeque<>(); // true when the peer's answer was right
    private final Set<String> warnings = new TreeSet<>();
    private boolean hostDown;
    private boolean networkDown;

    public FailureClassifier(Thresholds thresholds) {
        this.thresholds = thresholds;
    }

    /** The service answered its probe in {@code rttMs}. */
    public void answered(double rttMs) {
        add(rttMs > thresholds.deadlineMs() ? Probe.LATE : Probe.ANSWERED);
    }

    /** The service's probe got no answer. */
    public void lost() {
        add(Probe.LOST);
    }

    private void add(Probe p) {
        probes.addLast(p);
        if (probes.size() > thresholds.window()) {
            probes.removeFirst();
        }
    }

    /** The judge found the service's answer right ({@code wrong} null) or wrong, and why. */
    public void judged(String wrong) {
        judged.addLast(wrong == null ? "" : wrong);
        if (judged.size() > thresholds.window()) {
            judged.removeFirst();
        }
    }

    /** The judge found an answer of the same server on a peer host right or not. */
    public void peerJudged(boolean right) {
        peerJudged.addLast(right);
        if (peerJudged.size() > thresholds.window()) {
            peerJudged.removeFirst();
        }
    }

    /** The last check of the host itself (answered or not). */
    public void host(boolean answered) {
        hostDown = !answered;
    }

    /** The last check of the host's network path (its gateway, its switch). */
    public void network(boolean answered) {
        networkDown = !answered;
    }

    /** A warning on the host (named, e.g. {@code disk.reallocated}) went up or down. */
    public void warning(String name, boolean up) {
        if (up) {
            warnings.add(name);
        } else {
            warnings.remove(name);
        }
    }

    public Optional<Verdict> verdict() {
        int lostInARow = 0;
        for (var it = probes.descendingIterator(); it.hasNext() && it.next() == Probe.LOST; ) {
            lostInARow++;
        }
        long lost = probes.stream().filter(p -> p == Probe.LOST).count();
        long late = probes.stream().filter(p -> p == Probe.LATE).count();
        List<String> wrong = judged.stream().filter(w -> !w.isEmpty()).toList();
        Failure failure;
        String evidence;
        if (lostInARow >= thresholds.crashAfter()) {
            failure = Failure.crash;
            evidence = lostInARow + " probes lost in a row";
        } else if (wrong.size() >= thresholds.byzantineAt()) {
            failure = Failure.byzantine;
            evidence = wrong.size() + " of the last " + judged.size() + " answers judged wrong (last: " + wrong.getLast() + ")";
        } else if (lost >= thresholds.omissionAt()) {
            failure = Failure.omission;
            evidence = lost + " of the last " + probes.size() + " probes lost";
        } else if (late >= thresholds.lateAt()) {
            failure = Failure.timing;
            evidence = late + " of the last " + probes.size() + " probes later than " + thresholds.deadlineMs() + " ms";
        } else if (!warnings.isEmpty()) {
            failure = Failure.crash;
            evidence = "the service is healthy";
        } else {
            return Optional.empty();
        }
        boolean peerRight = failure == Failure.byzantine && !peerJudged.isEmpty() && !peerJudged.contains(false);
        Location location = networkDown ? Location.network
                : hostDown || !warnings.isEmpty() || peerRight ? Location.host : Location.vm;
        String where = networkDown ? "; its network check failed" : hostDown ? "; its host check failed"
                : peerRight ? "; the same server answers right on the peer host" : "";
        String warned = warnings.isEmpty() ? "" : "; warnings " + String.join(", ", warnings);
        return Optional.of(new Verdict(failure, location, !warnings.isEmpty() || failure != Failure.crash, evidence + where + warned));
    }
}
