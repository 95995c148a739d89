package dev.d2r2.sip.server;

import dev.d2r2.core.HostPort;
import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import dev.d2r2.sip.codec.SipWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small, fast SIP registrar and user agent server over UDP, the stand-in for the research documents' SIP
 * servers: REGISTER → 200 (bindings kept with their expiry), INVITE → 180 and 200 (Record-Route
 * copied, a Contact), ACK → nothing, BYE of a call it knows → 200 (else 481), OPTIONS → 200,
 * CANCEL → 200, SUBSCRIBE to the {@code server-mobility} event package → 200 and a NOTIFY of its
 * address ({@link MobilityPackage}; {@link #announce} tells every subscriber again after a move; NOTIFYs are
 * retransmitted until answered, {@link NotifyTransactions}),
 * anything else → 501. Beyond its capacity — {@code maxCps} new calls a second,
 * {@code maxCalls} at once — a new INVITE gets 503 with Retry-After. A retransmitted INVITE is
 * answered again, not counted again.
 *
 * <p>Servers can share their confirmed calls ({@link #replicate}, {@link #adopt}): when one
 * dies, the edge sends its calls' BYEs to another, which knows them as replicas and ends them
 * cleanly instead of answering 481.
 */
public final class SipServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipServer.class);

    private final DatagramChannel channel;
    private final String contact;
    private final int maxCps;
    private final int maxCalls;
    /** Calls answered 200 and not yet acknowledged: dropped after {@value #ACK_TIMEOUT_MS} ms, as RFC 3261 §13.3.1.4 says. */
    private final Map<String, Long> unconfirmed = new ConcurrentHashMap<>();
    private final Map<String, Long> calls = new ConcurrentHashMap<>();
    public static final long ACK_TIMEOUT_MS = 32_000;
    /** Peers' confirmed calls (Call-ID → when adopted), ended here if their BYE comes here. */
    private final Map<String, Long> replicas = new ConcurrentHashMap<>();
    /** Calls ended lately, so that a retransmitted BYE gets 200 again rather than 481. */
    private final Map<String, Long> ended = new ConcurrentHashMap<>();
    public static final long REPLICA_TTL_MS = 2 * 3600_000;
    /** The branch prefix of the requests this server routes to a registered contact. */
    private static final String ROUTED_BRANCH = "z9hG4bKrt";
    private volatile Replication replication = Replication.NONE;
    private volatile CredentialIssuer credentials;
    private long lastSweep = System.currentTimeMillis();
    private final Map<String, Long> bindings = new ConcurrentHashMap<>();
    /** The contact URI each registration gave (address of record → URI), where requests for it are routed (see the constructor). */
    private final Map<String, String> contacts = new ConcurrentHashMap<>();
    private volatile boolean routing;
    private volatile Runnable registrationChanged = () -> { };
    private final Counters counters = new Counters();
    private final MobilityPackage mobility = new MobilityPackage(counters, System.currentTimeMillis());
    private final NotifyTransactions notifies;
    private final Thread loop;
    private volatile boolean running = true;
    /** While the CPU hog runs: its threads spin until this goes false. */
    private volatile boolean hogging;
    private java.util.List<Thread> hog = java.util.List.of();
    /** Set by {@link #pause}; {@code busy} while a request is handled, checked after it is set (see {@link #pause}). */
    private volatile boolean paused;
    private volatile boolean busy;
    private final String listen;
    private double tokens;
    private long lastRefill = System.nanoTime();

    /** {@code maxCps}, {@code maxCalls}: 0 for no limit. */
    public SipServer(InetSocketAddress listen, int maxCps, int maxCalls) throws IOException {
        this(listen, maxCps, maxCalls, "server");
    }

    /**
     * {@code name} names the server's threads {@code sip-NAME} (and {@code sip-NAME-hog}), so that the
     * kernel's per-thread accounting ({@code /proc/PID/task}) tells the servers of one process apart:
     * the {@code os} probe's {@code threads:sip-NAME} target.
     */
    public SipServer(InetSocketAddress listen, int maxCps, int maxCalls, String name) throws IOException {
        this(listen, maxCps, maxCalls, name, null, false);
    }

    /**
     * A server that answers its first request already holding the tables of {@code startWith}
     * (null: none). With {@code routeRegistered}, a request other than REGISTER, OPTIONS and
     * SUBSCRIBE whose Request-URI names a registered address of record is forwarded, statelessly,
     * to the contact it registered (the Request-URI kept), with this server's Via on top, and the
     * answers come back through it; without, the server answers every INVITE itself. Both hold
     * from the first request, so that a clone started from its source's registrations never
     * answers a call for one of them itself.
     */
    public SipServer(InetSocketAddress listen, int maxCps, int maxCalls, String name, ServerState startWith, boolean routeRegistered)
            throws IOException {
        this.channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.bind(listen);
        InetSocketAddress bound = (InetSocketAddress) channel.getLocalAddress();
        this.listen = bound.getHostString() + ":" + bound.getPort();
        this.contact = "Contact: <sip:server@" + bound.getHostString() + ":" + bound.getPort() + ">";
        this.maxCps = maxCps;
        this.maxCalls = maxCalls;
        this.tokens = maxCps;
        this.notifies = new NotifyTransactions(channel, NotifyTransactions.T1, NotifyTransactions.T2, counters, mobility::forget,
                "sip-" + name + "-notify");
        if (startWith != null) {
            load(startWith);
        }
        this.routing = routeRegistered;
        this.loop = Thread.ofPlatform().name("sip-" + name).start(this::run);
    }

    /** The name of the server's threads, as the kernel shows it (at most 15 bytes, the rest cut). */
    public String threadName() {
        return loop.getName();
    }

    /**
     * Fault injection (the demo, tests, benchmarks): while {@code on}, threads of this server's own,
     * {@code sip-NAME-hog}, one per core, spin, as runaway tasks inside a server would (one per
     * core, so that on a busy machine the scheduler still gives the hog a visible share). Idempotent.
     */
    public synchronized void cpuHog(boolean on) throws InterruptedException {
        if (on && !hogging) {
            hogging = true;
            java.util.List<Thread> threads = new java.util.ArrayList<>();
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                threads.add(Thread.ofPlatform().daemon().name(threadName() + "-hog").start(this::spin));
            }
            hog = threads;
        } else if (!on && hogging) {
            hogging = false;
            for (Thread t : hog) {
                t.join();
            }
            hog = java.util.List.of();
        }
    }

    /** Counts its spins ({@code hog.spins}): the counters show that the fault ran, and how hard. */
    private void spin() {
        while (hogging && running) {
            count("hog.spins");
        }
    }

    /** A server bound to {@code state.listen()} that starts with the tables and limits of {@code state}. */
    public SipServer(ServerState state) throws IOException {
        this(HostPort.parse(state.listen()), state.maxCps(), state.maxCalls(), "server", state, false);
    }

    /** Replaces the tables with those of {@code state}; call it {@link #pause paused}. */
    public void load(ServerState state) {
        replace(bindings, state.bindings());
        replace(contacts, state.contacts());
        replace(calls, state.calls());
        replace(unconfirmed, state.unconfirmed());
        replace(ended, state.ended());
        replace(replicas, state.replicas());
        mobility.load(state.subscriptions(), state.epoch());
    }

    private static <V> void replace(Map<String, V> table, Map<String, V> with) {
        table.keySet().retainAll(with.keySet());
        table.putAll(with);
    }

    /** A copy of the configuration and tables; exact once {@link #pause paused}, a moving picture before. */
    public ServerState state() {
        return new ServerState(listen, maxCps, maxCalls, bindings, calls, unconfirmed, ended, replicas, mobility.table(), mobility.epoch(),
                contacts);
    }

    /** {@link ServerState#registrationsOnly} of {@link #state}, without copying the calls first: what a {@link StateFile} writes. */
    public ServerState registrationState() {
        return ServerState.registrations(listen, maxCps, maxCalls, bindings, mobility.epoch(), contacts);
    }

    /**
     * Stops answering: requests that arrive are dropped (counted {@code paused}; UDP clients
     * retransmit) until {@link #resume}. Returns once no request is being handled, so the tables
     * no longer change.
     */
    public void pause() {
        paused = true;
        while (busy) {
            Thread.onSpinWait();
        }
    }

    public void resume() {
        paused = false;
    }

    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Calls in progress: answered, acknowledged or not, and not ended. */
    public int activeCalls() {
        return calls.size() + unconfirmed.size();
    }

    /** Peers' calls this server could end (see {@link #adopt}). */
    public int replicas() {
        return replicas.size();
    }

    /** Where this server's confirmed calls and ended calls are told (one at a time, from its loop). */
    public void replicate(Replication r) {
        this.replication = r;
    }

    /** Takes a peer's confirmed call as a replica (ignored when the call is this server's own). */
    public void adopt(String callId) {
        if (!calls.containsKey(callId) && !unconfirmed.containsKey(callId)) {
            replicas.put(callId, System.currentTimeMillis());
        }
    }

    /** Forgets a replica: its call ended, wherever. */
    public void forget(String callId) {
        replicas.remove(callId);
    }

    public int registrations() {
        return bindings.size();
    }

    /** Told, from the server's loop, after each change of its registrations (a {@link StateFile} writes them then). */
    public void onRegistrationChange(Runnable listener) {
        this.registrationChanged = listener;
    }

    /** {@code server-mobility} subscriptions held, expired ones included until they are swept. */
    public int subscriptions() {
        return mobility.size();
    }

    /**
     * Sends every live {@code server-mobility} subscriber a NOTIFY with this server's address: what
     * a server that arrived at a new address by a live migration does once it serves. Returns how
     * many were sent.
     */
    public int announce() throws IOException {
        long now = System.currentTimeMillis();
        int sent = 0;
        for (Subscription s : mobility.live(now)) {
            if (notify(s, false, now)) {
                sent++;
            }
        }
        return sent;
    }

    private boolean notify(Subscription s, boolean terminated, long now) throws IOException {
        MobilityPackage.Notify n = mobility.notify(s, listen, contact, terminated, now);
        InetSocketAddress to = n == null ? null : Hop.ofUri(s.target());
        if (to == null) {
            return false;
        }
        notifies.send(n.branch(), MobilityPackage.key(s.callId(), Hop.param(s.subscriber(), "tag")), n.bytes(), to);
        return true;
    }

    /** Counters: {@code invite}, {@code calls.started}, {@code calls.ended}, {@code refused}, {@code register}... */
    public Map<String, Long> counters() {
        return counters.snapshot();
    }

    private void count(String name) {
        counters.count(name);
    }

    private void run() {
        ByteBuffer in = ByteBuffer.allocate(SipParser.MAX_MESSAGE + 1);
        ByteBuffer out = ByteBuffer.allocate(SipParser.MAX_MESSAGE + 4096);
        while (running) {
            try {
                in.clear();
                SocketAddress from = channel.receive(in);
                busy = true;
                if (paused) {
                    count("paused");
                    continue;
                }
                SipMessage m = SipParser.datagram(in.array(), 0, in.position());
                if (!m.isRequest() && m.malformation() == null && m.count(Header.CSEQ) > 0
                        && m.first(Header.CSEQ).endsWith(" NOTIFY")) {
                    String branch = m.count(Header.VIA) == 0 ? null : Hop.param(m.first(Header.VIA), "branch");
                    if (branch != null && notifies.answered(branch, m.status())) {
                        mobility.answered(m);
                    } else {
                        count("notify.stray");
                    }
                    continue;
                }
                if (!m.isRequest() && m.malformation() == null && routedHere(m)) {
                    relay(m, out);
                    continue;
                }
                if (!m.isRequest() || m.malformation() != null || m.count(Header.VIA) == 0 || m.count(Header.CALL_ID) == 0
                        || m.count(Header.CSEQ) == 0) {
                    count("ignored");
                    continue;
                }
                answer(m, (InetSocketAddress) from, out);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                count("errors");
                LOG.warn("sip-server: a request failed: {}", e.toString());
            } finally {
                busy = false;
            }
        }
    }

    private void answer(SipMessage m, InetSocketAddress from, ByteBuffer out) throws IOException {
        String callId = m.first(Header.CALL_ID);
        String tag = Long.toHexString(dev.d2r2.core.Rendezvous.hash(callId));
        InetSocketAddress registered = routing && !m.methodIs("REGISTER") && !m.methodIs("OPTIONS") && !m.methodIs("SUBSCRIBE")
                ? contactOf(Hop.aor(m.requestUri())) : null;
        if (registered != null) {
            route(m, registered, from, out, tag);
        } else if (m.methodIs("INVITE")) {
            count("invite");
            sweep();
            if (!calls.containsKey(callId) && !unconfirmed.containsKey(callId)) {
                String refusal = admit();
                if (refusal != null) {
                    count("refused");
                    reply(m, from, out, 503, "Service Unavailable", tag, "Retry-After: 1");
                    return;
                }
                unconfirmed.put(callId, System.currentTimeMillis());
                count("calls.started");
            }
            reply(m, from, out, 180, "Ringing", tag, null);
            reply(m, from, out, 200, "OK", tag, recordRoutes(m) + contact);
        } else if (m.methodIs("ACK")) {
            count("ack");
            Long since = unconfirmed.remove(callId);
            if (since != null) {
                calls.put(callId, since);
                replication.started(callId);
            }
        } else if (m.methodIs("BYE")) {
            bye(m, callId, from, out, tag);
        } else if (m.methodIs("REGISTER")) {
            count("register");
            String to = m.first(Header.TO);
            String expires = Hop.param(";" + String.join(";", m.all(Header.CONTACT)), "expires");
            long seconds = expires != null && SipParser.digits(expires, 9) ? Long.parseLong(expires) : 3600;
            List<String> contacts = m.all(Header.CONTACT);
            if (to != null) {
                bind(Hop.aor(to), seconds, contacts);
            }
            String credential = to == null || seconds == 0 ? null : credential(m, Hop.aor(to));
            String extra = contacts.isEmpty() ? null : "Contact: " + String.join(", ", contacts) + (expires == null ? ";expires=" + seconds : "");
            if (credential != null) {
                extra = (extra == null ? "" : extra + "\r\n") + CredentialIssuer.CREDENTIAL_HEADER + ": " + credential;
            }
            reply(m, from, out, 200, "OK", tag, extra);
        } else if (m.methodIs("SUBSCRIBE")) {
            sweep();
            long now = System.currentTimeMillis();
            MobilityPackage.Answer a = mobility.subscribe(m, tag, contact, now);
            reply(m, from, out, a.status(), a.reason(), tag, a.header());
            if (a.notified() != null) {
                notify(a.notified(), a.terminated(), now);
            }
        } else if (m.methodIs("OPTIONS") || m.methodIs("CANCEL")) {
            count(m.method().toLowerCase(java.util.Locale.ROOT));
            reply(m, from, out, 200, "OK", tag, null);
        } else {
            count("other");
            reply(m, from, out, 501, "Not Implemented", tag, "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, SUBSCRIBE");
        }
    }

    private void bye(SipMessage m, String callId, InetSocketAddress from, ByteBuffer out, String tag) throws IOException {
        sweep();
        if (calls.remove(callId) != null || unconfirmed.remove(callId) != null) {
            count("calls.ended");
        } else if (replicas.remove(callId) != null) {
            count("calls.ended.replica");
        } else if (!ended.containsKey(callId)) {
            count("bye.unknown");
            reply(m, from, out, 481, "Call/Transaction Does Not Exist", tag, null);
            return;
        } else {
            reply(m, from, out, 200, "OK", tag, null);
            return;
        }
        ended.put(callId, System.currentTimeMillis());
        replication.ended(callId);
        reply(m, from, out, 200, "OK", tag, null);
    }

    private void bind(String aor, long seconds, List<String> given) {
        if (seconds == 0) {
            bindings.remove(aor);
            contacts.remove(aor);
        } else {
            bindings.put(aor, System.currentTimeMillis() + seconds * 1000);
            if (!given.isEmpty()) {
                String uri = Hop.bracketed(given.getFirst());
                contacts.put(aor, uri != null ? uri : given.getFirst().split(";", 2)[0].strip());
            }
        }
        registrationChanged.run();
    }

    /** Where a request for {@code aor} goes: the contact of its live registration, or null. */
    private InetSocketAddress contactOf(String aor) {
        Long expires = bindings.get(aor);
        String uri = contacts.get(aor);
        return expires == null || uri == null || expires < System.currentTimeMillis() ? null : Hop.ofUri(uri);
    }

    /**
     * Forwards {@code m} to a registered contact as a stateless proxy (RFC 3261 §16.11): its
     * branch is a function of the request's own top Via, so that a retransmission, its CANCEL
     * and the ACK of a non-2xx answer take the same one.
     */
    private void route(SipMessage m, InetSocketAddress contact, InetSocketAddress from, ByteBuffer out, String tag) throws IOException {
        String hops = m.first(Header.MAX_FORWARDS);
        int maxForwards = hops != null && SipParser.digits(hops.strip(), 3) ? Integer.parseInt(hops.strip()) : 70;
        if (maxForwards <= 0) {
            count("routed.too-many-hops");
            reply(m, from, out, 483, "Too Many Hops", tag, null);
            return;
        }
        count("routed");
        String via = "SIP/2.0/UDP " + listen + ";branch=" + ROUTED_BRANCH
                + Long.toHexString(dev.d2r2.core.Rendezvous.hash(m.all(Header.VIA).getFirst()));
        SipWriter.request(m, out, via.getBytes(java.nio.charset.StandardCharsets.US_ASCII), null, -1, maxForwards - 1);
        out.flip();
        channel.send(out, contact);
    }

    /** Whether {@code response} answers a request this server routed: its top Via is this server's. */
    private boolean routedHere(SipMessage response) {
        List<String> vias = response.all(Header.VIA);
        if (vias.size() < 2) {
            return false;
        }
        String branch = Hop.param(vias.getFirst(), "branch");
        return branch != null && branch.startsWith(ROUTED_BRANCH) && vias.getFirst().contains(" " + listen + ";");
    }

    /** A routed request's answer, to the next Via without this server's. */
    private void relay(SipMessage response, ByteBuffer out) throws IOException {
        InetSocketAddress to = Hop.ofVia(response.all(Header.VIA).get(1));
        if (to == null) {
            count("ignored");
            return;
        }
        count("routed.responses");
        SipWriter.response(response, out);
        out.flip();
        channel.send(out, to);
    }

    /**
     * At most once a second: drops the calls whose 200 was never acknowledged (a flood does not
     * ACK), forgets ended calls once their BYE cannot be retransmitted any more, and replicas
     * older than {@value #REPLICA_TTL_MS} ms (their end was never told).
     */
    private void sweep() {
        long now = System.currentTimeMillis();
        if (now - lastSweep < 1000) {
            return;
        }
        lastSweep = now;
        unconfirmed.entrySet().removeIf(e -> {
            boolean stale = now - e.getValue() > ACK_TIMEOUT_MS;
            if (stale) {
                count("calls.unacknowledged");
            }
            return stale;
        });
        ended.values().removeIf(t -> now - t > ACK_TIMEOUT_MS);
        replicas.values().removeIf(t -> now - t > REPLICA_TTL_MS);
        mobility.sweep(now);
    }

    /** Gives registering CoSIP proxies credentials from now on (see {@link CredentialIssuer}). */
    public void issueCredentials(CredentialIssuer issuer) {
        this.credentials = issuer;
    }

    /** The credential asked for by the REGISTER's {@code X-CoSIP-Key}, or null; an unusable key is counted. */
    private String credential(SipMessage m, String aor) {
        CredentialIssuer issuer = credentials;
        String key = null;
        for (int i = 0; issuer != null && key == null && i < m.headerCount(); i++) {
            if (m.kind(i) == Header.OTHER && m.name(i).equalsIgnoreCase(CredentialIssuer.KEY_HEADER)) {
                key = m.value(i).strip();
            }
        }
        if (key == null) {
            return null;
        }
        String credential = issuer.issue("sip:" + aor, key);
        count(credential != null ? "credentials.issued" : "credentials.refused");
        return credential;
    }

    /** Why a new call is refused now, or null. */
    private String admit() {
        if (maxCalls > 0 && activeCalls() >= maxCalls) {
            return "calls";
        }
        if (maxCps > 0) {
            long now = System.nanoTime();
            tokens = Math.min(maxCps, tokens + (now - lastRefill) / 1e9 * maxCps);
            lastRefill = now;
            if (tokens < 1) {
                return "rate";
            }
            tokens -= 1;
        }
        return null;
    }

    private static String recordRoutes(SipMessage m) {
        List<String> rr = m.all(Header.RECORD_ROUTE);
        return rr.isEmpty() ? "" : "Record-Route: " + String.join(", ", rr) + "\r\n";
    }

    private void reply(SipMessage m, InetSocketAddress from, ByteBuffer out, int status, String reason, String tag, String extra)
            throws IOException {
        SipWriter.answer(m, out, status, reason, tag, extra);
        out.flip();
        InetSocketAddress to = Hop.ofVia(m.all(Header.VIA).getFirst());
        channel.send(out, to != null ? to : from);
    }

    @Override
    public void close() throws IOException {
        running = false;
        try {
            cpuHog(false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        notifies.close();
        channel.close();
        try {
            loop.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
