package dev.d2r2.app.cli;

import dev.d2r2.broker.Publisher;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/** A long-running command's status events: every {@code every}, printed and/or published, {@code count} times (0: until stopped). */
final class StatusReports {
    private StatusReports() {
    }

    static void run(Duration every, long count, boolean print, Publisher publisher, Callable<List<Event>> events) throws Exception {
        long next = System.nanoTime();
        for (long n = 0; count == 0 || n < count; n++) {
            next += every.toNanos();
            LockSupport.parkNanos(next - System.nanoTime());
            for (Event e : events.call()) {
                if (print) {
                    System.out.println(EventCodec.encodeToString(e));
                    System.out.flush();
                }
                if (publisher != null) {
                    publisher.publish(e);
                }
            }
        }
    }
}
