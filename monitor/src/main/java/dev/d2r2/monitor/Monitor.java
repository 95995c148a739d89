package dev.d2r2.monitor;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.Rendezvous;
import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import dev.d2r2.monitor.events.AlarmEvent;
import dev.d2r2.monitor.events.ProbeError;
import dev.d2r2.monitor.events.ResilienceMeasure;
import dev.d2r2.monitor.events.Sample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One monitoring peer (R-Peer): runs the probes of the services it owns at their intervals
 * (monitoring layer), publishes the samples on the metrics channel, and feeds the thresholds'
 * alarm generators (notification layer), whose state events go on the alarms channel; every
 * alarm's state is re-asserted periodically. Probes run on virtual threads; a probe still
 * running when its next turn comes skips that turn.
 *
 * <p>Alone, a peer owns every service. With {@code peers:} in the config, peers sharing the
 * config form a group over the broker (heartbeats) and each service is owned by the live peer
 * that rendezvous hashing picks; when a peer dies its services move to the others, which adopt
 * the alarm states it published last, so a move neither repeats nor loses a transition.
 */
public final class Monitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);

    private final MonitorConfig config;
    private final Clock clock;
    private final String peer;
    private final Publisher metrics;
    private final Publisher alarms;
    private final Map<String, List<Target>> byService = new LinkedHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("d2r2-monitor-scheduler").daemon().factory());
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    /** The owned targets by next due time; one tick every {@link #TICK_MS} starts those due (scheduler thread). */
    private final java.util.PriorityQueue<Target> due = new java.util.PriorityQueue<>((a, b) -> Long.compare(a.nextDue, b.nextDue));
    static final long TICK_MS = 10;
    private final PeerGroup group;
    /** The alarm states published last by any peer, by service and metric. */
    private final Map<String, String> published = new ConcurrentHashMap<>();
    private final Subscription publishedStates;
    private final Map<String, ServiceHealth> health = new LinkedHashMap<>();
    private final Publisher resilience;
    private volatile Set<String> owned = Set.of();
    private volatile Set<String> live = Set.of();

    public Monitor(MonitorConfig config, BrokerClient client, Clock clock) {
        this(config, client, clock, "monitor");
    }

    /** {@code peer}: this peer's name in its group (and the {@code peer} attribute of what it publishes). */
    public Monitor(MonitorConfig config, BrokerClient client, Clock clock, String peer) {
        this.config = config;
        this.clock = clock;
        this.peer = peer;
        this.metrics = client.publisher(config.metrics());
        this.alarms = client.publisher(config.alarms());
        this.resilience = config.resilience() == null ? null : client.publisher(config.resilience().channel());
        for (ServiceConfig s : config.services()) {
            health.put(s.name(), new ServiceHealth(s.model()));
            List<Target> targets = new ArrayList<>();
            for (ProbeConfig p : s.probes()) {
                targets.add(target(s, p));
            }
            byService.put(s.name(), targets);
        }
        if (config.peers() != null) {
            group = new PeerGroup(peer, config.peers(), client, clock);
            publishedStates = subscribePublishedStates(client);
        } else {
            group = null;
            publishedStates = null;
        }
    }

    private Target target(ServiceConfig s, ProbeConfig p) {
        List<Alarm> valueAlarms = new ArrayList<>();
        Alarm stateAlarm = null;
        for (ThresholdConfig t : s.thresholds()) {
            if (ServiceConfig.probeOf(s.probes(), t.metric()) != p) {
                continue;
            }
            Alarm a = new Alarm(s.name(), t.metric(), t, peer);
            if (t.metric().equals(p.name())) {
                stateAlarm = a;
            } else {
                valueAlarms.add(a);
            }
        }
        if (stateAlarm == null && p.kind().equals("nagios")) {
            stateAlarm = new Alarm(s.name(), p.name(), null, peer);
        }
        return new Target(s.name(), p, ProbeKinds.of(p.kind()).create(p), valueAlarms, stateAlarm);
    }

    /**
     * Every alarm state is published at least once per {@code reassert}: replaying the alarms
     * channel's log over twice that tells a joining peer the states of the services it may take
     * over. Without a log (persistence: none), it only knows what it sees from now on.
     */
    private Subscription subscribePublishedStates(BrokerClient client) {
        try {
            return client.subscribe(config.alarms(), StartPosition.since(clock.millis() - 2 * config.reassert().toMillis()),
                    this::remember);
        } catch (BrokerException e) {
            if (e.code() != ErrorCode.NOT_PERSISTENT) {
                throw e;
            }
            LOG.warn("channel {} has no log: a peer that takes over a service may repeat its last alarm transition",
                    config.alarms());
            return client.subscribe(config.alarms(), StartPosition.live(), this::remember);
        }
    }

    private void remember(Delivery d) {
        try {
            Event e = d.event();
            if (e.isState() && e.source() != null) {
                published.put(e.source() + '\0' + e.type(), e.to());
            }
        } catch (EventFormatException e) {
            LOG.debug("alarms channel: unreadable event at offset {}", d.offset());
        }
    }

    /** Starts probing (each probe at a random offset within its interval, so that they spread), and the group's heartbeats. */
    public Monitor start() {
        scheduler.scheduleAtFixedRate(this::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
        if (group == null) {
            scheduler.execute(() -> own(byService.keySet(), false));
        } else {
            long beat = config.peers().heartbeat().toMillis();
            scheduler.scheduleAtFixedRate(group::beat, 0, beat, TimeUnit.MILLISECONDS);
            // A joining peer watches the group (and the alarms' recent past) for one timeout before it claims services.
            scheduler.scheduleAtFixedRate(this::rebalance, config.peers().timeout().toMillis(), Math.max(1, beat / 10),
                    TimeUnit.MILLISECONDS);
        }
        long reassert = config.reassert().toMillis();
        scheduler.scheduleAtFixedRate(this::reassertAll, reassert, reassert, TimeUnit.MILLISECONDS);
        if (resilience != null) {
            long every = config.resilience().every().toMillis();
            scheduler.scheduleAtFixedRate(this::assess, every, every, TimeUnit.MILLISECONDS);
        }
        LOG.info("peer {}: {} services with {} probes", peer, config.services().size(),
                byService.values().stream().mapToInt(List::size).sum());
        return this;
    }

    /**
     * Starts every target that is due: one wake-up per tick for all of them, not one per target
     * (thousands of targets would otherwise wake the scheduler thousands of times a second).
     */
    private void tick() {
        long now = System.nanoTime();
        Target t;
        while ((t = due.peek()) != null && t.nextDue <= now) {
            due.poll();
            if (!t.scheduled) {
                continue;
            }
            t.trigger();
            long every = t.config.interval().toNanos();
            t.nextDue += every;
            if (t.nextDue <= now) {
                t.nextDue = now + every;
            }
            due.add(t);
        }
    }

    /** Recomputes which services this peer owns from the live peers (scheduler thread). */
    private void rebalance() {
        Set<String> now = group.live();
        if (now.equals(live)) {
            return;
        }
        LOG.info("peer {}: live peers {}", peer, now);
        boolean first = live.isEmpty();
        live = now;
        Set<String> mine = new TreeSet<>();
        for (String service : byService.keySet()) {
            if (peer.equals(Rendezvous.owner(service, now))) {
                mine.add(service);
            }
        }
        // Services taken over from a peer that left are checked at once; the first share is spread.
        own(mine, !first);
    }

    private void own(Set<String> services, boolean checkNow) {
        for (String s : owned) {
            if (!services.contains(s)) {
                byService.get(s).forEach(Target::stop);
            }
        }
        for (String s : services) {
            if (!owned.contains(s)) {
                for (Target t : byService.get(s)) {
                    t.adoptPublishedStates();
                    t.schedule(checkNow);
                }
            }
        }
        owned = Set.copyOf(services);
    }

    private void reassertAll() {
        long now = clock.millis();
        Set<String> mine = owned;
        for (Map.Entry<String, List<Target>> s : byService.entrySet()) {
            if (mine.contains(s.getKey())) {
                for (Target t : s.getValue()) {
                    t.allAlarms.forEach(a -> {
                        AlarmEvent e = a.reassert(now);
                        publish(alarms, e == null ? null : e.toEvent());
                    });
                }
            }
        }
    }

    /** The reasoning layer: each owned service's resilience metrics, on the resilience channel. */
    private void assess() {
        long now = clock.millis();
        for (String service : owned) {
            ServiceHealth h = health.get(service);
            Map<String, Double> values;
            synchronized (h) {
                values = h.assess(now, config.resilience().window().toMillis());
            }
            values.forEach((k, v) -> publish(resilience, new ResilienceMeasure(k, now, service, v, peer).toEvent()));
        }
    }

    /** Publishes an alarm event, and tells the service's health about it. */
    private void alarm(String service, AlarmEvent e) {
        if (e == null) {
            return;
        }
        publish(alarms, e.toEvent());
        ServiceHealth h = health.get(service);
        synchronized (h) {
            h.alarm(e.metric(), e.to(), e.time());
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
        /** The value alarms and the state alarm, together. */
        final List<Alarm> allAlarms;
        /** Metric names by value name ({@code connect_ms} → {@code tcp.connect_ms}), built once. */
        final Map<String, String> metricNames = new ConcurrentHashMap<>();
        final AtomicBoolean running = new AtomicBoolean();
        /** When the next run is due (scheduler thread). */
        long nextDue;
        boolean scheduled;

        Target(String service, ProbeConfig config, Probe probe, List<Alarm> valueAlarms, Alarm stateAlarm) {
            this.service = service;
            this.config = config;
            this.probe = probe;
            this.valueAlarms = valueAlarms;
            this.stateAlarm = stateAlarm;
            List<Alarm> all = new ArrayList<>(valueAlarms);
            if (stateAlarm != null) {
                all.add(stateAlarm);
            }
            this.allAlarms = List.copyOf(all);
        }

        void adoptPublishedStates() {
            for (Alarm a : allAlarms) {
                a.adopt(published.get(service + '\0' + a.metric()));
            }
        }

        /** Starts probing now, or at a random offset within the interval so that the targets spread (scheduler thread). */
        void schedule(boolean now) {
            long every = config.interval().toNanos();
            due.remove(this);
            nextDue = System.nanoTime() + (now ? 0 : ThreadLocalRandom.current().nextLong(every));
            scheduled = true;
            due.add(this);
        }

        void stop() {
            scheduled = false;
        }

        void trigger() {
            if (!running.compareAndSet(false, true)) {
                return;
            }
            probe.measureAsync(config.timeout(), workers).whenComplete((m, failure) -> {
                try {
                    if (failure != null) {
                        failed(failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                                ? c.getCause() : failure);
                    } else {
                        measured(m);
                    }
                } catch (RuntimeException e) {
                    LOG.error("probe {} of {} failed", config.name(), service, e);
                } finally {
                    running.set(false);
                }
            });
        }

        private void failed(Throwable failure) {
            if (!(failure instanceof ProbeException)) {
                LOG.error("probe {} of {} failed", config.name(), service, failure);
            }
            long now = clock.millis();
            String why = String.valueOf(failure.getMessage());
            publish(metrics, new ProbeError(config.name(), now, service, why, peer).toEvent());
            for (Alarm a : allAlarms) {
                alarm(service, a.unknown(now, why));
            }
            ServiceHealth h = health.get(service);
            synchronized (h) {
                h.run(false, false, now);
            }
        }

        private void measured(Measurement m) {
            long now = clock.millis();
            ServiceHealth h = health.get(service);
            for (Map.Entry<String, Double> v : m.values().entrySet()) {
                String metric = metricNames.computeIfAbsent(v.getKey(), k -> Sample.metric(config.name(), k));
                publish(metrics, new Sample(metric, now, service, v.getValue(), peer).toEvent());
                if (h.derives()) {
                    synchronized (h) {
                        h.sample(metric, v.getValue(), now);
                    }
                }
            }
            for (Alarm a : valueAlarms) {
                Double v = m.values().get(a.metric().substring(config.name().length() + 1));
                if (v != null) {
                    alarm(service, a.sample(v, now));
                }
            }
            if (stateAlarm != null && m.state() != null) {
                alarm(service, stateAlarm.level(m.state(), now, m.detail()));
            }
            boolean critical = false;
            for (Alarm a : allAlarms) {
                critical |= Alarm.CRITICAL.equals(a.state());
            }
            synchronized (h) {
                h.run(true, critical, now);
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        workers.shutdownNow();
        if (group != null) {
            group.close();
            publishedStates.close();
        }
        byService.values().forEach(ts -> ts.forEach(t -> t.probe.close()));
        metrics.close();
        alarms.close();
        if (resilience != null) {
            resilience.close();
        }
    }
}
