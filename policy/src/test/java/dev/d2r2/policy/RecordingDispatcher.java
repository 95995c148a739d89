package dev.d2r2.policy;

import dev.d2r2.policy.events.ActionOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** Answers calls at once, as {@code answer} says (null: never), and keeps them in order. */
final class RecordingDispatcher implements Dispatcher {
    final List<Call> calls = new ArrayList<>();
    private Function<Call, Result> answer = c -> new Result(c, ActionOutcome.Result.OK, null);

    RecordingDispatcher answering(Function<Call, Result> a) {
        this.answer = a;
        return this;
    }

    @Override
    public void call(Call call, Consumer<Result> done) {
        calls.add(call);
        Result r = answer.apply(call);
        if (r != null) {
            done.accept(r);
        }
    }

    List<String> log() {
        return calls.stream().map(c -> c.call().key() + " " + c.action().id()).toList();
    }
}
