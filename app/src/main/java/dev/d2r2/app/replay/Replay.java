package dev.d2r2.app.replay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Runs the loop of some {@link Rules} over recorded events, from a broker's log or from a list. */
public final class Replay {
    /** Where the recorded events come from, and where the range ends. */
    public interface Source {
        void play(RecordedLog.Reader reader) throws IOException, ReplayException;

        long to();
    }

    /** What a run produced, and how many gaps its input had. */
    public record Result(List<Output> outputs, long gaps) {
        public boolean uncertain() {
            return gaps > 0;
        }
    }

    private Replay() {
    }

    /** Replays {@code source} through {@code rules}; every output goes to {@code out} as it is made. Returns the number of gaps. */
    public static long run(Rules rules, Source source, Consumer<Output> out) throws IOException, ReplayException {
        Loop loop = new Loop(rules, out);
        source.play(loop);
        loop.finish(source.to());
        return loop.gaps();
    }

    /** Replays and keeps the outputs. */
    public static Result collect(Rules rules, Source source) throws IOException, ReplayException {
        List<Output> outputs = new ArrayList<>();
        long gaps = run(rules, source, outputs::add);
        return new Result(outputs, gaps);
    }

    /** Events given in order (a rule test's input): each at its own time, or at its {@link Recorded#at}. */
    public record Events(List<Recorded> events, long to) implements Source {
        @Override
        public void play(RecordedLog.Reader reader) throws ReplayException {
            for (Recorded r : events) {
                reader.record(r);
            }
        }
    }
}
