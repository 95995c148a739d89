package dev.d2r2.core.agent;

import dev.d2r2.core.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one {@link Agent} on one owning platform thread: messages from the {@link Inbox} in order,
 * the agent's timer when the injected {@link Clock} reaches it, and a lifecycle with checked
 * transitions (NEW → STARTING → RUNNING → CLOSING → CLOSED). A failure on one message is counted
 * and logged (rate-limited) and the agent goes on.
 *
 * <p>The runner waits at most {@link #MAX_WAIT_MILLIS} between looks at the clock, so a virtual
 * clock that tests move ahead is seen without a wake-up; {@link #wake()} makes it look at once.
 */
public final class AgentRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRunner.class);
    static final long MAX_WAIT_MILLIS = 1000;
    private static final Object WAKE = new Object();
    private static final Object STOP = new Object();

    private final Agent agent;
    private final Inbox inbox;
    private final Clock clock;
    private final ErrorLog errors;
    private final AtomicReference<AgentState> state = new AtomicReference<>(AgentState.NEW);
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile Throwable startFailure;
    private Thread thread;

    public AgentRunner(Agent agent, Inbox inbox, Clock clock) {
        this.agent = agent;
        this.inbox = inbox;
        this.clock = clock;
        this.errors = new ErrorLog(LoggerFactory.getLogger(agent.getClass()), clock, 10_000);
    }

    public AgentRunner(Agent agent, int inboxCapacity, Clock clock) {
        this(agent, Inbox.bounded(inboxCapacity), clock);
    }

    /**
     * Starts the owning thread and waits until the agent's {@link Agent#onStart()} has run.
     *
     * @throws IllegalStateException if onStart failed (the runner is then closed)
     */
    public AgentRunner start() {
        move(AgentState.NEW, AgentState.STARTING);
        thread = Thread.ofPlatform().name("d2r2-" + agent.roleName()).daemon().start(this::run);
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(agent.roleName() + ": interrupted while starting", e);
        }
        if (startFailure != null) {
            throw new IllegalStateException(agent.roleName() + " did not start: " + startFailure.getMessage(), startFailure);
        }
        return this;
    }

    private void run() {
        try {
            agent.onStart();
        } catch (Throwable t) {
            startFailure = t;
            state.set(AgentState.CLOSING);
            started.countDown();
            finish();
            return;
        }
        state.compareAndSet(AgentState.STARTING, AgentState.RUNNING);
        started.countDown();
        while (state.get() == AgentState.RUNNING) {
            try {
                long now = clock.millis();
                long due = agent.nextDueMillis();
                if (due <= now) {
                    agent.onTimer(now);
                    continue;
                }
                long wait = Math.min(due - now, MAX_WAIT_MILLIS);
                Object message = inbox.poll(wait);
                if (message == STOP) {
                    break;
                }
                if (message != null && message != WAKE) {
                    agent.onMessage(message);
                }
            } catch (InterruptedException e) {
                break;
            } catch (Throwable t) {
                errors.error("failure", agent.roleName() + ": failed on one input: " + t, t);
            }
        }
        finish();
    }

    private void finish() {
        try {
            agent.onClose();
        } catch (Throwable t) {
            LOG.warn("{}: closing failed: {}", agent.roleName(), t.toString());
        }
        state.set(AgentState.CLOSED);
    }

    /** Hands a message to the agent, waiting while its inbox is full. */
    public void submit(Object message) throws InterruptedException {
        inbox.put(message);
    }

    /**
     * Hands a message to the agent, waiting while its inbox is full: for messages that must not be
     * lost (a broker delivery, a state change), so a busy agent slows its sources down instead of
     * dropping. A caller interrupted while waiting keeps its interrupt; the message is counted lost.
     */
    public void deliver(Object message) {
        try {
            inbox.put(message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            errors.warn("interrupted", agent.roleName() + ": a message was lost: its sender was interrupted while waiting");
        }
    }

    /** Hands a message to the agent if its inbox has room; counts and returns false otherwise. */
    public boolean offer(Object message) {
        if (inbox.offer(message)) {
            return true;
        }
        errors.warn("inbox-full", agent.roleName() + ": inbox full, a message was dropped");
        return false;
    }

    /** Makes the owning thread look at the clock and the agent's timer now. */
    public void wake() {
        inbox.offer(WAKE);
    }

    public AgentState state() {
        return state.get();
    }

    /** Failures and refusals counted on this agent's behalf. */
    public ErrorLog errors() {
        return errors;
    }

    /** The owning thread, for assertions that work happens on it. */
    public Thread thread() {
        return thread;
    }

    private void move(AgentState from, AgentState to) {
        if (!from.canMoveTo(to) || !state.compareAndSet(from, to)) {
            throw new IllegalStateException(agent.roleName() + ": cannot go from " + state.get() + " to " + to);
        }
    }

    /** Stops taking messages, lets the agent close what it owns on its own thread, and waits for that. */
    @Override
    public void close() throws InterruptedException {
        close(Duration.ofSeconds(30));
    }

    public void close(Duration timeout) throws InterruptedException {
        AgentState s = state.get();
        if (s == AgentState.NEW) {
            state.set(AgentState.CLOSED);
            return;
        }
        if (s == AgentState.STARTING || s == AgentState.RUNNING) {
            state.compareAndSet(s, AgentState.CLOSING);
        }
        if (Thread.currentThread() == thread) {
            return;
        }
        if (!inbox.offer(STOP)) {
            thread.interrupt();
        }
        thread.join(TimeUnit.MILLISECONDS.convert(timeout));
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join();
        }
    }
}
