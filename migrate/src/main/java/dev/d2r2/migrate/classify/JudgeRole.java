package dev.d2r2.migrate.classify;

import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.migrate.classify.AnswerJudge.Judgement;
import dev.d2r2.migrate.classify.AnswerJudge.Probe;
import dev.d2r2.migrate.classify.AnswerJudge.Verdict;
import dev.d2r2.migrate.events.AnswerJudged;
import dev.d2r2.sip.codec.SipParser;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The answer judge as an agent: every {@code period} it sends the server one REGISTER probe
 * ({@link AnswerJudge}) over UDP and publishes the verdict on its answer as an
 * {@link AnswerJudged}: right, wrong, refused, or lost when no final answer came within
 * {@code timeout}. One probe at a time; a receiver thread only copies datagrams into the inbox.
 * Answers that are not the pending probe's are counted as strays.
 */
public final class JudgeRole implements Agent, AutoCloseable {
    private static final int INBOX = 256;
    private static final int MAX_DATAGRAM = 65_535;

    private record Datagram(byte[] bytes) {
    }

    /** @param probes how many probes to send, 0 for no end */
    public record Settings(String service, InetSocketAddress server, long periodMs, long timeoutMs, long probes) {
        public Settings {
            if (periodMs < 1 || timeoutMs < 1 || timeoutMs > periodMs || probes < 0) {
                throw new IllegalArgumentException("the period and the timeout must be positive, the timeout at most the period");
            }
        }
    }

    private final Settings settings;
    private final AnswerJudge judge;
    private final Clock clock;
    private final Consumer<AnswerJudged> out;
    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final AgentRunner runner;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicLong inboxFull = new AtomicLong();
    private final long[] counts = new long[Verdict.values().length];
    private Probe pending;
    private long sentAt;
    private long nextProbe;
    private long sent;
    private long strays;
    private Thread receiver;

    public JudgeRole(Settings settings, AnswerJudge judge, InetSocketAddress bind, Clock clock, Consumer<AnswerJudged> out)
            throws IOException {
        this.settings = settings;
        this.judge = judge;
        this.clock = clock;
        this.out = out;
        this.channel = DatagramChannel.open();
        channel.bind(bind);
        channel.connect(settings.server());
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.nextProbe = clock.millis();
        this.runner = new AgentRunner(this, INBOX, clock);
    }

    public JudgeRole start() {
        runner.start();
        receiver = Thread.ofPlatform().name("d2r2-judge-rx").daemon().start(this::receive);
        return this;
    }

    @Override
    public String roleName() {
        return "answer-judge";
    }

    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
        while (channel.isOpen()) {
            try {
                buffer.clear();
                channel.receive(buffer);
                buffer.flip();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                if (!runner.offer(new Datagram(bytes))) {
                    inboxFull.incrementAndGet();
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // an ICMP port unreachable from a server that is not there: the probe will be judged lost
            }
        }
    }

    @Override
    public void onMessage(Object message) {
        if (!(message instanceof Datagram d)) {
            throw new IllegalArgumentException("not a judge message: " + message);
        }
        Optional<Judgement> j = pending == null ? Optional.empty()
                : judge.judge(pending, SipParser.datagram(d.bytes(), 0, d.bytes().length));
        if (j.isEmpty()) {
            strays++;
            return;
        }
        publish(j.get());
    }

    @Override
    public long nextDueMillis() {
        long due = pending != null ? sentAt + settings.timeoutMs() : Long.MAX_VALUE;
        return more() ? Math.min(due, nextProbe) : due;
    }

    private boolean more() {
        return settings.probes() == 0 || sent < settings.probes();
    }

    @Override
    public void onTimer(long nowMillis) throws IOException {
        if (pending != null && nowMillis >= sentAt + settings.timeoutMs()) {
            publish(new Judgement(Verdict.lost, 0, "no final answer in " + settings.timeoutMs() + " ms"));
        }
        if (more() && nowMillis >= nextProbe) {
            pending = judge.register(++sent, local, settings.server());
            sentAt = nowMillis;
            nextProbe = nowMillis + settings.periodMs();
            try {
                channel.write(ByteBuffer.wrap(pending.bytes()));
            } catch (IOException e) {
                // refused at once (nothing listens): judged lost at its timeout, as a probe that got no answer
            }
        }
    }

    private void publish(Judgement j) {
        counts[j.verdict().ordinal()]++;
        pending = null;
        out.accept(new AnswerJudged(clock.millis(), settings.service(), settings.server().getAddress().getHostAddress() + ":"
                + settings.server().getPort(), j.verdict().name(), j.status(), j.why()));
        if (!more()) {
            finished.countDown();
        }
    }

    /** Waits until the last of a bounded number of probes was judged. */
    public void awaitFinished() throws InterruptedException {
        finished.await();
    }

    /** Verdicts by kind, strays and inbox overflow, for the log. */
    public String counters() {
        StringBuilder b = new StringBuilder();
        for (Verdict v : Verdict.values()) {
            b.append(v).append(' ').append(counts[v.ordinal()]).append(", ");
        }
        return b.append("strays ").append(strays).append(", inbox full ").append(inboxFull.get()).toString();
    }

    @Override
    public void onClose() throws IOException {
        channel.close();
    }

    @Override
    public void close() throws InterruptedException {
        runner.close();
    }
}
