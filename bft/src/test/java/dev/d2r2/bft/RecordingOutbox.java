package dev.d2r2.bft;

import java.util.ArrayList;
import java.util.List;

/** Records what a replica asks of the world. */
final class RecordingOutbox implements Outbox {
    record Sent(int to, Msg msg) {
    }

    static final int EVERYONE = -1;
    final List<Sent> sent = new ArrayList<>();
    final List<Block> delivered = new ArrayList<>();
    final List<byte[]> applied = new ArrayList<>();
    final List<Long> timers = new ArrayList<>();
    final List<Integer> failedViews = new ArrayList<>();
    final List<SafetyState> persisted = new ArrayList<>();
    /** "height:state" of each checkpoint installed. */
    final List<String> installed = new ArrayList<>();

    @Override
    public void send(int to, Msg msg) {
        sent.add(new Sent(to, msg));
    }

    @Override
    public void broadcast(Msg msg) {
        sent.add(new Sent(EVERYONE, msg));
    }

    @Override
    public void deliver(Block block, List<byte[]> commands) {
        delivered.add(block);
        applied.addAll(commands);
    }

    @Override
    public void startTimer(long view, int failedViews) {
        timers.add(view);
        this.failedViews.add(failedViews);
    }

    @Override
    public void persist(SafetyState state) {
        persisted.add(state);
    }

    @Override
    public byte[] snapshot() {
        return new byte[0];
    }

    @Override
    public boolean install(Checkpoint checkpoint) {
        installed.add(checkpoint.height() + ":" + new String(checkpoint.state(), java.nio.charset.StandardCharsets.UTF_8));
        return true;
    }

    <T extends Msg> List<T> sentOf(Class<T> type) {
        return sent.stream().map(Sent::msg).filter(type::isInstance).map(type::cast).toList();
    }
}
