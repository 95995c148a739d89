package dev.d2r2.monitor;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.Rendezvous;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.agent.ErrorLog;
import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import dev.d2r2.monitor.events.AlarmEvent;
import dev.d2r2.monitor.events.MonitorEvents;
import dev.d2r2.monitor.events.ProbeError;
import dev.d2r2.monitor.events.ResilienceMeasure;
import dev.d2r2.monitor.events.Sample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One monitoring peer (R-Peer), run as an {@link Agent}: it starts the probes of the services it
 * owns at their intervals (monitoring layer), publishes the samples on the metrics channel, and
 * feeds the thresholds' alarm generators (notification layer), whose state events go on the
 * alarms channel; every alarm's state is re-asserted periodically. Probes run concurrently on
 * virtual threads and hand their results to the agent's inbox; a probe still running when its
 * next turn comes skips that turn. Everything else — the schedule, the alarms, the services'
 * health, the group's membership and every publisher — belongs to the agent's one thread.
 *
 * <p>Alone, a peer owns every service. With {@code peers:} in the config, peers sharing the
 * config form a group over the broker (heartbeats) and each service is owned by the live peer
 * that rendezvous hashing picks; when a peer dies its services move to the others, which adopt
 * the alarm states it published last, so a move neither repeats nor loses a transition.
 */
public final class Monitor implements Agent, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);
    /** Probes due within one tick are started together: one wake-up for all of them, not one per target. */
    static final long TICK_MS = 10;
    static final int INBOX_CAPACITY = 65_536;
    static final String PROBE_FAILURE = "probe-failure";
    static final String UNREADABLE = "unreadable";

    private final MonitorConfig config;
    private final BrokerClient client;
    private final Clock clock;
    private final String peer;
    private final Map<String, List<Target>> byService = new LinkedHashMap<>();
    private final Map<String, ServiceHealth> health = new LinkedHashMap<>();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final PriorityQueue<Target> due = new PriorityQueue<>((a, b) -> Long.compare(a.nextDue, b.nextDue));
    /** The alarm states published last by any peer, by service and metric. */
    private final Map<String, String> published = new HashMap<>();
    private AgentRunner runner;
    private Publisher metrics;
    private Publisher alarms;
    private Publisher resilience;
    private PeerGroup group;
    private Subscription publishedStates;
    private Set<String> owned = Set.of();
    private Set<String> live = Set.of();
    private long nextBeat = Long.MAX_VALUE;
    private long nextRebalance = Long.MAX_VALUE;
    private long nextReassert;
    private long nextAssess = Long.MAX_VALUE;

    /** A probe's answer (or failure), handed from the thread that measured to the agent. */
    private record Measured(Target target, Measurement measurement, Throwable failure) {
    }

    /** An alarm state some peer published, read on a delivery thread. */
    private record Published(String key, String state) {
    }

    public Monitor(MonitorConfig config, BrokerClient client, Clock clock) {
        this(config, client, clock, "monitor");
    }

    /** {@code peer}: this peer's name in its group (and the {@code peer} attribute of what it publishes). */
    public Monitor(MonitorConfig config, BrokerClient client, Clock clock, String peer) {
        this.config = config;
        this.client = client;
        this.clock = clock;
        this.peer = peer;
        for (ServiceConfig s : config.services()) {
            health.put(s.name(), new ServiceHealth(s.model()));
            List<Target> targets = new ArrayList<>();
            for (ProbeConfig p : s.probes()) {
                targets.add(target(s, p));
            }
            byService.put(s.name(), targets);
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

    /** Starts the agent: probing (each probe at a random offset within its interval, so that they spread), and the group's heartbeats. */
    public Monitor start() {
        runner = new AgentRunner(this, INBOX_CAPACITY, clock);
        runner.start();
        return this;
    }

    @Override
    public String roleName() {
        return "monitor-" + peer;
    }

    @Override
    public void onStart() {
        metrics = client.publisher(config.metrics());
        alarms = client.publisher(config.alarms());
        resilience = config.resilience() == null ? null : client.publisher(config.resilience().channel());
        long now = clock.millis();
        if (config.peers() == null) {
            own(byService.keySet(), false);
        } else {
            publishedStates = subscribePublishedStates();
            group = new PeerGroup(peer, config.peers(), client, clock, runner::offer);
            nextBeat = now;
            // A joining peer watches the group (and the alarms' recent past) for one timeout before it claims services.
            nextRebalance = now + config.peers().timeout().toMillis();
        }
        nextReassert = now + config.reassert().toMillis();
        if (resilience != null) {
            nextAssess = now + config.resilience().every().toMillis();
        }
        LOG.info("peer {}: {} services with {} probes", peer, config.services().size(),
                byService.values().stream().mapToInt(List::size).sum());
    }

    /**
     * Every alarm state is published at least once per {@code reassert}: replaying the alarms
     * channel's log over twice that tells a joining peer the states of the services it may take
     * over. Without a log (persistence: none), it only knows what it sees from now on.
     */
    private Subscription subscribePublishedStates() {
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

    /** A delivery thread: hands an alarm state to the agent. */
    private void remember(Delivery d) {
        try {
            Event e = d.event();
            if (MonitorEvents.ALARM.matches(e.type()) && e.isState() && e.source() != null) {
                AlarmEvent a = AlarmEvent.from(e);
                runner.offer(new Published(key(a.service(), a.metric()), a.to()));
            }
        } catch (EventFormatException e) {
            runner.errors().warn(UNREADABLE, "alarms channel: unreadable event at offset " + d.offset() + ": " + e.getMessage());
        }
    }

    private static String key(String service, String metric) {
        return service + '\0' + metric;
    }

    @Override
    public void onMessage(Object message) {
        switch (message) {
            case Measured m -> m.target().done(m.measurement(), m.failure());
            case Published p -> published.put(p.key(), p.state());
            case PeerGroup.Heard h -> group.heard(h);
            default -> throw new IllegalArgumentException("unexpected message " + message);
        }
    }

    @Override
    public long nextDueMillis() {
        Target first = due.peek();
        long probes = first == null ? Long.MAX_VALUE : (first.nextDue + TICK_MS - 1) / TICK_MS * TICK_MS;
        return Math.min(Math.min(probes, Math.min(nextBeat, nextRebalance)), Math.min(nextReassert, nextAssess));
    }

    @Override
    public void onTimer(long now) {
        startDueProbes(now);
        if (now >= nextBeat) {
            group.beat();
            nextBeat = now + config.peers().heartbeat().toMillis();
        }
        if (now >= nextRebalance) {
            rebalance();
            nextRebalance = now + Math.max(1, config.peers().heartbeat().toMillis() / 10);
        }
        if (now >= nextReassert) {
            reassertAll(now);
            nextReassert = now + config.reassert().toMillis();
        }
        if (now >= nextAssess) {
            assess(now);
            nextAssess = now + config.resilience().every().toMillis();
        }
    }

    private void startDueProbes(long now) {
        Target t;
        while ((t = due.peek()) != null && t.nextDue <= now) {
            due.poll();
            if (!t.scheduled) {
                continue;
            }
            t.trigger();
            long every = t.config.interval().toMillis();
            t.nextDue += every;
            if (t.nextDue <= now) {
                t.nextDue = now + every;
            }
            due.add(t);
        }
    }

    /** Recomputes which services this peer owns from the live peers. */
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

    private void reassertAll(long now) {
        for (String service : owned) {
            for (Target t : byService.get(service)) {
                for (Alarm a : t.allAlarms) {
                    AlarmEvent e = a.reassert(now);
                    if (e != null) {
                        alarms.publish(e.toEvent());
                    }
                }
            }
        }
    }

    /** The reasoning layer: each owned service's resilience metrics, on the resilience channel. */
    private void assess(long now) {
        for (String service : owned) {
            health.get(service).assess(now, config.resilience().window().toMillis())
                    .forEach((k, v) -> resilience.publish(new ResilienceMeasure(k, now, service, v, peer).toEvent()));
        }
    }

    /** Publishes an alarm event, and tells the service's health about it. */
    private void alarm(String service, AlarmEvent e) {
        if (e == null) {
            return;
        }
        alarms.publish(e.toEvent());
        health.get(service).alarm(e.metric(), e.to(), e.time());
    }

    /** Failures and refusals counted on this peer's behalf (probes that broke, unreadable events, a full inbox). */
    public ErrorLog errors() {
        return runner.errors();
    }

    /** One probe of one service, with the alarms its metrics feed; touched on the agent's thread only. */
    private final class Target {
        final String service;
        final ProbeConfig config;
        final Probe probe;
        /**
         * The value alarms by value name: each is judged right after its sample is published, so
         * the alarms come in the samples' order, as a replay of the metrics channel makes them.
         */
        final Map<String, Alarm> alarmByValue = new HashMap<>();
        final Alarm stateAlarm;
        /** The value alarms and the state alarm, together. */
        final List<Alarm> allAlarms;
        /** Metric names by value name ({@code connect_ms} → {@code tcp.connect_ms}), built once. */
        final Map<String, String> metricNames = new HashMap<>();
        boolean running;
        /** When the next run is due (the clock's ms). */
        long nextDue;
        boolean scheduled;

        Target(String service, ProbeConfig config, Probe probe, List<Alarm> valueAlarms, Alarm stateAlarm) {
            this.service = service;
            this.config = config;
            this.probe = probe;
            for (Alarm a : valueAlarms) {
                alarmByValue.put(a.metric().substring(config.name().length() + 1), a);
            }
            this.stateAlarm = stateAlarm;
            List<Alarm> all = new ArrayList<>(valueAlarms);
            if (stateAlarm != null) {
                all.add(stateAlarm);
            }
            this.allAlarms = List.copyOf(all);
        }

        void adoptPublishedStates() {
            for (Alarm a : allAlarms) {
                a.adopt(published.get(key(service, a.metric())));
            }
        }

        /** Starts probing now, or at a random offset within the interval so that the targets spread. */
        void schedule(boolean now) {
            long every = config.interval().toMillis();
            due.remove(this);
            nextDue = clock.millis() + (now ? 0 : ThreadLocalRandom.current().nextLong(every));
            scheduled = true;
            due.add(this);
        }

        void stop() {
            scheduled = false;
        }

        void trigger() {
            if (running) {
                return;
            }
            running = true;
            probe.measureAsync(config.timeout(), workers).whenComplete((m, failure) -> {
                try {
                    runner.submit(new Measured(this, m, failure instanceof CompletionException c && c.getCause() != null
                            ? c.getCause() : failure));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        void done(Measurement m, Throwable failure) {
            running = false;
            if (failure != null) {
                failed(failure);
            } else {
                measured(m);
            }
        }

        private void failed(Throwable failure) {
            if (!(failure instanceof ProbeException)) {
                runner.errors().error(PROBE_FAILURE, "probe " + config.name() + " of " + service + " failed", failure);
            }
            long now = clock.millis();
            String why = String.valueOf(failure.getMessage());
            metrics.publish(new ProbeError(config.name(), now, service, why, peer).toEvent());
            for (Alarm a : allAlarms) {
                alarm(service, a.unknown(now, why));
            }
            health.get(service).run(false, false, now);
        }

        private void measured(Measurement m) {
            long now = clock.millis();
            ServiceHealth h = health.get(service);
            for (Map.Entry<String, Double> v : m.values().entrySet()) {
                sample(metricNames.computeIfAbsent(v.getKey(), k -> Sample.metric(config.name(), k)), v.getValue(), now, h);
                Alarm a = alarmByValue.get(v.getKey());
                if (a != null) {
                    alarm(service, a.sample(v.getValue(), now));
                }
            }
            if (m.state() != null) {
                sample(config.name(), AlarmEvent.code(m.state()), now, h);
            }
            if (stateAlarm != null && m.state() != null) {
                alarm(service, stateAlarm.level(m.state(), now, m.detail()));
            }
            boolean critical = false;
            for (Alarm a : allAlarms) {
                critical |= Alarm.CRITICAL.equals(a.state());
            }
            h.run(true, critical, now);
        }

        private void sample(String metric, double value, long now, ServiceHealth h) {
            metrics.publish(new Sample(metric, now, service, value, peer).toEvent());
            if (h.derives()) {
                h.sample(metric, value, now);
            }
        }
    }

    /** On the agent's thread, after its last message: stops the probes, the group and the publishers. */
    @Override
    public void onClose() {
        workers.shutdownNow();
        if (group != null) {
            group.close();
        }
        if (publishedStates != null) {
            publishedStates.close();
        }
        byService.values().forEach(ts -> ts.forEach(t -> t.probe.close()));
        for (Publisher p : new Publisher[]{metrics, alarms, resilience}) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (runner == null) {
            workers.shutdownNow();
            byService.values().forEach(ts -> ts.forEach(t -> t.probe.close()));
        } else {
            runner.close();
        }
    }
}
