package dev.d2r2.core.agent;

import dev.d2r2.core.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class AgentRunnerTest {

    /** Records where and when each call happened. */
    private static class Recording implements Agent {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        volatile long due = Long.MAX_VALUE;

        @Override
        public String roleName() {
            return "recording";
        }

        @Override
        public void onStart() {
            note("start");
        }

        @Override
        public void onMessage(Object message) {
            if ("boom".equals(message)) {
                throw new IllegalStateException("boom");
            }
            note("message " + message);
        }

        @Override
        public long nextDueMillis() {
            return due;
        }

        @Override
        public void onTimer(long nowMillis) {
            note("timer " + nowMillis);
            due = Long.MAX_VALUE;
        }

        @Override
        public void onClose() {
            note("close");
        }

        private void note(String call) {
            calls.add(call);
            threads.add(Thread.currentThread());
        }
    }

    @Test
    void everyCallRunsOnTheOwningThreadInOrder() throws Exception {
        Recording agent = new Recording();
        AgentRunner runner = new AgentRunner(agent, 16, new ManualClock(0)).start();
        assertThat(runner.state()).isEqualTo(AgentState.RUNNING);
        runner.submit("a");
        runner.submit("b");
        await().until(() -> agent.calls.size() == 3);
        runner.close();
        assertThat(runner.state()).isEqualTo(AgentState.CLOSED);
        assertThat(agent.calls).containsExactly("start", "message a", "message b", "close");
        assertThat(agent.threads).allMatch(t -> t == runner.thread());
    }

    @Test
    void timerFiresWhenTheVirtualClockReachesIt() throws Exception {
        ManualClock clock = new ManualClock(1_000);
        Recording agent = new Recording();
        agent.due = 1_500;
        try (AgentRunner runner = new AgentRunner(agent, 16, clock).start()) {
            runner.submit("before");
            await().until(() -> agent.calls.contains("message before"));
            assertThat(agent.calls).noneMatch(c -> c.startsWith("timer"));
            clock.advance(Duration.ofMillis(500));
            runner.wake();
            await().until(() -> agent.calls.contains("timer 1500"));
        }
    }

    @Test
    void aFailureIsCountedAndTheAgentGoesOn() throws Exception {
        Recording agent = new Recording();
        try (AgentRunner runner = new AgentRunner(agent, 16, new ManualClock(0)).start()) {
            runner.submit("boom");
            runner.submit("boom");
            runner.submit("after");
            await().until(() -> agent.calls.contains("message after"));
            assertThat(runner.errors().count("failure")).isEqualTo(2);
        }
    }

    @Test
    void aFullInboxRefusesAndCounts() throws Exception {
        Agent blocked = new Agent() {
            @Override
            public String roleName() {
                return "blocked";
            }

            @Override
            public void onMessage(Object message) throws InterruptedException {
                new CountDownLatch(1).await();
            }
        };
        AgentRunner runner = new AgentRunner(blocked, 1, new ManualClock(0)).start();
        runner.submit("takes the thread");
        await().until(() -> runner.offer("fills the inbox") && !runner.offer("one too many"));
        assertThat(runner.errors().count("inbox-full")).isPositive();
        runner.close(Duration.ofMillis(100));
        assertThat(runner.state()).isEqualTo(AgentState.CLOSED);
    }

    @Test
    void deliverWaitsForRoomInsteadOfDropping() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(1);
        List<Object> seen = new CopyOnWriteArrayList<>();
        Agent gated = new Agent() {
            @Override
            public String roleName() {
                return "gated";
            }

            @Override
            public void onMessage(Object message) throws InterruptedException {
                busy.countDown();
                release.await();
                seen.add(message);
            }
        };
        try (AgentRunner runner = new AgentRunner(gated, 1, new ManualClock(0)).start()) {
            runner.deliver("first");
            busy.await();
            runner.deliver("second");
            Thread sender = Thread.ofPlatform().start(() -> runner.deliver("third"));
            await().until(() -> sender.getState() == Thread.State.WAITING);
            release.countDown();
            sender.join();
            await().until(() -> seen.size() == 3);
            assertThat(seen).containsExactly("first", "second", "third");
            assertThat(runner.errors().total()).isZero();
        }
    }

    @Test
    void aFailedStartIsReportedAndClosesTheAgent() {
        Recording agent = new Recording() {
            @Override
            public void onStart() {
                throw new IllegalStateException("no port");
            }
        };
        AgentRunner runner = new AgentRunner(agent, 16, new ManualClock(0));
        assertThatThrownBy(runner::start).hasMessageContaining("did not start: no port");
        await().until(() -> runner.state() == AgentState.CLOSED);
        assertThat(agent.calls).containsExactly("close");
    }

    @Test
    void aRunnerStartsOnce() {
        AgentRunner runner = new AgentRunner(new Recording(), 16, new ManualClock(0)).start();
        assertThatThrownBy(runner::start).isInstanceOf(IllegalStateException.class);
        assertThat(runner.state()).isEqualTo(AgentState.RUNNING);
    }
}
