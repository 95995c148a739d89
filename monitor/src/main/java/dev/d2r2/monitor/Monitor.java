package dev.d2r2.monitor;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One monitoring peer (R-Peer): runs every probe of its services at its interval (monitoring
 * layer), publishes the samples on the metrics channel, and feeds the thresholds' alarm
 * generators (notification layer), whose state events go on the alarms channel; every alarm's
 * state is re-asserted periodically. Probes run on virtual threads; a probe still running when
 * its next turn comes skips that turn.
 */
public final class Monitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);

    private final MonitorConfig config;
    private final Clock clock;
    private final Publisher metrics;
    private final Publisher alarms;
    private final List<Target> targets = new ArrayList<>();
    private final List<Alarm> allAlarms = new ArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("d2r2-monitor-scheduler").daemon().factory());
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

    public Monitor(MonitorConfig config, BrokerClient client, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.metrics = client.publisher(config.metrics());
        this.alarms = client.publisher(config.alarms());
        for (ServiceConfig s : config.services()) {
            for (ProbeConfig p : s.probes()) {
                List<Alarm> valueAlarms = new ArrayList<>();
                Alarm stateAlarm = null;
                for (ThresholdConfig t : s.thresholds()) {
                    if (ServiceConfig.probeOf(s.probes(), t.metric()) != p) {
                        continue;
                    }
                    Alarm a = new Alarm(s.name(), t.metric(), t);
                    if (t.metric().equals(p.name())) {
                        stateAlarm = a;
                    } else {
                        valueAlarms.add(a);
                    }
                    allAlarms.add(a);
                }
                if (stateAlarm == null && p.kind().equals("nagios")) {
                    stateAlarm = new Alarm(s.name(), p.name(), null);
                    allAlarms.add(stateAlarm);
                }
                targets.add(new Target(s.name(), p, ProbeKinds.of(p.kind()).create(p), valueAlarms, stateAlarm));
            }
        }
    }

    /** Starts the probes (each at a random offset within its interval, so that they spread) and the re-assertion. */
    public Monitor start() {
        for (Target t : targets) {
            long every = t.config.interval().toMillis();
            scheduler.scheduleAtFixedRate(t::trigger, ThreadLocalRandom.current().nextLong(every), every, TimeUnit.MILLISECONDS);
        }
        long reassert = config.reassert().toMillis();
        scheduler.scheduleAtFixedRate(this::reassertAll, reassert, reassert, TimeUnit.MILLISECONDS);
        LOG.info("monitoring {} services with {} probes", config.services().size(), targets.size());
        return this;
    }

    private void reassertAll() {
        long now = clock.millis();
        for (Alarm a : allAlarms) {
            publish(alarms, a.reassert(now));
        }
    }

    private static void publish(Publisher p, Event e) {
        if (e == null) {
            return;
        }
        synchronized (p) {
            p.publish(e);
        }
    }

    /** One probe of one service, with the alarms its metrics feed. */
    private final class Target {
        final String service;
        final ProbeConfig config;
        final Probe probe;
        final List<Alarm> valueAlarms;
        final Alarm stateAlarm;
        final AtomicBoolean running = new AtomicBoolean();

        Target(String service, ProbeConfig config, Probe probe, List<Alarm> valueAlarms, Alarm stateAlarm) {
            this.service = service;
            this.config = config;
            this.probe = probe;
            this.valueAlarms = valueAlarms;
            this.stateAlarm = stateAlarm;
        }

        void trigger() {
            if (running.compareAndSet(false, true)) {
                workers.execute(() -> {
                    try {
                        run();
                    } catch (RuntimeException e) {
                        LOG.error("probe {} of {} failed", config.name(), service, e);
                    } finally {
                        running.set(false);
                    }
                });
            }
        }

        void run() {
            Measurement m;
            try {
                m = probe.measure(config.timeout());
            } catch (ProbeException e) {
                long now = clock.millis();
                publish(metrics, Event.message(config.name() + ".error", now, service, Map.of("error", e.getMessage())));
                Map<String, Object> why = Map.of("error", e.getMessage());
                for (Alarm a : valueAlarms) {
                    publish(alarms, a.level(Alarm.UNKNOWN, now, why));
                }
                if (stateAlarm != null) {
                    publish(alarms, stateAlarm.level(Alarm.UNKNOWN, now, why));
                }
                return;
            }
            long now = clock.millis();
            for (Map.Entry<String, Double> v : m.values().entrySet()) {
                publish(metrics, Event.message(config.name() + "." + v.getKey(), now, service, Map.of("value", v.getValue())));
            }
            for (Alarm a : valueAlarms) {
                Double v = m.values().get(a.metric().substring(config.name().length() + 1));
                if (v != null) {
                    publish(alarms, a.sample(v, now));
                }
            }
            if (stateAlarm != null && m.state() != null) {
                publish(alarms, stateAlarm.level(m.state(), now, m.detail() == null ? Map.of() : Map.of("output", m.detail())));
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        workers.shutdownNow();
        for (Target t : targets) {
            t.probe.close();
        }
        metrics.close();
        alarms.close();
    }
}
