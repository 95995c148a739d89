package dev.d2r2.cosip;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.agent.DatagramPump;
import dev.d2r2.cosip.events.CredentialOutcome;
import dev.d2r2.cosip.events.ModeChange;
import dev.d2r2.cosip.events.ModeChange.Mode;
import dev.d2r2.cosip.events.ProviderState;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.Results.GetResult;
import dev.d2r2.overlay.kad.Results.PutResult;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import dev.d2r2.sip.codec.SipWriter;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The CoSIP proxy (ResumeNet D3.1c §3.4): a SIP proxy in front of unmodified user agents that
 * keeps their calls going when the provider fails. User agents send to {@code listen}; the
 * provider and other CoSIP proxies reach it on {@code peerListen}.
 *
 * <ul>
 *   <li>A REGISTER is kept locally, forked to the provider (Contact pointing at this proxy) and
 *       its AOR's contact — this proxy's peer address — is put into the DHT under the key the
 *       AOR's owner signs ({@link SignedValue}: {@code SHA-256(public key ‖ AOR)}).</li>
 *   <li>While the provider answers the OPTIONS probes ({@link ProviderProbe}), new calls go
 *       through it. When it stops, new calls are routed by a DHT lookup of the callee's AOR
 *       straight to the callee's proxy, signed both ways ({@link CallSigner}) with the keys the
 *       provider's credentials name ({@link Credential}: issued in the 200 to a REGISTER, kept
 *       and put into the DHT; or, without a provider key, the {@link Roster}) and rate-limited
 *       ({@link InviteLimiter}); an INVITE sent to the provider and not answered before the
 *       switch is sent again that way on its user agent's next retransmission. When the provider
 *       answers again, the proxy registers its users with it again and new calls use it.</li>
 *   <li>Contacts are rewritten to this proxy, so in-dialog requests travel proxy to proxy and
 *       calls set up through the provider outlive it.</li>
 * </ul>
 *
 * A single-threaded agent: datagram pumps (core `DatagramPump`) only copy datagrams into its inbox, DHT answers come
 * back through the inbox too.
 */
public final class CosipProxy implements Agent, AutoCloseable {
    private enum Side { UA, PEER }

    private record Datagram(Side side, InetSocketAddress from, byte[] bytes) {
    }

    private record Found(String callId, GetResult result, Throwable error) {
    }

    private record FoundCredential(String callId, GetResult result, Throwable error) {
    }

    private record Stored(PutResult result, Throwable error) {
    }

    private record Status(CompletableFuture<CosipStatus> result) {
    }

    private record Held(SignedValue credential) {
    }

    private record FoundRevocations(GetResult result, Throwable error) {
    }

    private static final int INBOX = 4096;
    private static final long UNANSWERED_MS = 64_000;
    private static final long ENDED_MS = 32_000;
    private static final long CONFIRMED_MS = 12 * 3600_000L;
    private static final long SWEEP_MS = 1000;
    private static final int DEFAULT_EXPIRES = 3600;
    private static final String REREGISTER = "cosip-reregister-";

    private final CosipSettings settings;
    private final Identity identity;
    private final Roster roster;
    private final OverlayNode dht;
    private final Consumer<Event> events;
    private final Clock clock;
    private final DatagramChannel uaChannel;
    private final DatagramChannel peerChannel;
    private final String uaHostPort;
    private final String peerHostPort;
    private final String serverHostPort;
    private final CallSigner signer;
    private final ProviderProbe probe;
    private final InviteLimiter limiter;
    private final String probeCallId;
    private final Map<String, Call> calls = new LinkedHashMap<>();
    private final Map<String, Registration> registrations = new HashMap<>();
    /** The provider's credentials for the own users, by AOR. */
    private final Map<String, SignedValue> credentials = new HashMap<>();
    private final Map<String, Long> counters = new TreeMap<>();
    private final SipMessage parsed = new SipMessage();
    private final ByteBuffer out = ByteBuffer.allocate(SipParser.MAX_MESSAGE);
    private final SecureRandom random = new SecureRandom();
    private final AgentRunner runner;
    private final List<DatagramPump> pumps = new CopyOnWriteArrayList<>();
    private Mode mode = Mode.SERVER;
    private long nextSweep;
    private long lastSeq;
    private long ownCseq;
    /** The provider's revocation list as last read from the DHT; read at start, on going P2P and every revocationsEvery. */
    private Revocations revocations = Revocations.none();
    private long nextRevocationFetch;

    private CosipProxy(CosipSettings settings, Identity identity, Roster roster, OverlayNode dht, Consumer<Event> events, Clock clock)
            throws IOException {
        this.settings = settings;
        this.identity = identity;
        this.roster = roster;
        this.dht = dht;
        this.events = events;
        this.clock = clock;
        this.uaChannel = DatagramChannel.open().bind(settings.listen());
        this.peerChannel = DatagramChannel.open().bind(settings.peerListen());
        this.uaHostPort = hostPort((InetSocketAddress) uaChannel.getLocalAddress());
        this.peerHostPort = hostPort((InetSocketAddress) peerChannel.getLocalAddress());
        this.serverHostPort = hostPort(settings.server());
        long now = clock.millis();
        this.signer = new CallSigner(identity, roster, settings.domain(), settings.authWindow().toMillis());
        this.probe = new ProviderProbe(settings.probeInterval().toMillis(), settings.downAfter(), settings.upAfter(), now);
        this.limiter = new InviteLimiter(settings.p2pCallsPerMinute(), settings.p2pBurst(), now);
        this.probeCallId = "cosip-probe-" + HexFormat.of().toHexDigits(random.nextLong()) + "@" + peerHostPort;
        this.nextSweep = now + SWEEP_MS;
        this.nextRevocationFetch = settings.providerKey() == null ? Long.MAX_VALUE : now;
        this.runner = new AgentRunner(this, INBOX, clock);
    }

    /** Binds both sockets and starts probing the provider; {@code events} is called on the proxy's thread. */
    public static CosipProxy start(CosipSettings settings, Identity identity, Roster roster, OverlayNode dht, Consumer<Event> events,
                                   Clock clock) throws IOException {
        CosipProxy proxy = new CosipProxy(settings, identity, roster, dht, events, clock);
        proxy.runner.start();
        proxy.pumps.add(proxy.pump(Side.UA, proxy.uaChannel));
        proxy.pumps.add(proxy.pump(Side.PEER, proxy.peerChannel));
        return proxy;
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public String roleName() {
        return "cosip-" + peerHostPort;
    }

    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) uaChannel.getLocalAddress();
    }

    public InetSocketAddress peerAddress() throws IOException {
        return (InetSocketAddress) peerChannel.getLocalAddress();
    }

    /**
     * A credential issued offline ({@code d2r2 cosip-credential}), for a provider that issues none on
     * REGISTER (Kamailio): checked and kept as one from a 200 would be, and put into the DHT.
     */
    public void hold(SignedValue credential) {
        runner.deliver(new Held(credential));
    }

    public CompletableFuture<CosipStatus> status() {
        Status s = new Status(new CompletableFuture<>());
        runner.deliver(s);
        return s.result();
    }

    private DatagramPump pump(Side side, DatagramChannel channel) {
        return DatagramPump.start(roleName() + "-" + side, channel, SipParser.MAX_MESSAGE, runner, (from, bytes) -> new Datagram(side, from, bytes));
    }

    @Override
    public void onMessage(Object message) {
        switch (message) {
            case Datagram d -> onDatagram(d);
            case Found f -> onFound(f);
            case FoundCredential f -> onFoundCredential(f);
            case Held h -> keep(Credential.aor(h.credential()), Credential.check(h.credential(), settings.providerKey(),
                    Credential.aor(h.credential()), clock.millis()));
            case FoundRevocations r -> onFoundRevocations(r);
            case Stored s -> count(s.error() == null && s.result().stored() > 0 ? "dht.put.stored" : "dht.put.failed");
            case Status s -> {
                Map<String, Long> snapshot = new TreeMap<>(counters);
                snapshot.put("dropped.inbox-full", pumps.stream().mapToLong(DatagramPump::inboxFull).sum());
                snapshot.put("revocations.users", (long) revocations.entries().size());
                s.result().complete(new CosipStatus(mode, probe.up(), calls.size(), registrations.size(), Map.copyOf(snapshot)));
            }
            default -> throw new IllegalArgumentException("not a CoSIP proxy message: " + message);
        }
    }

    private void onDatagram(Datagram d) {
        SipMessage m = SipParser.datagram(parsed, d.bytes(), 0, d.bytes().length);
        if (m.malformation() != null || m.first(Header.CALL_ID) == null || m.first(Header.VIA) == null || m.first(Header.CSEQ) == null) {
            count("dropped.malformed");
            return;
        }
        if (d.side() == Side.UA) {
            if (m.isRequest()) {
                requestFromUa(d, m);
            } else {
                responseFromUa(m);
            }
        } else if (m.isRequest()) {
            requestFromPeer(d.from(), m);
        } else {
            responseFromPeer(m);
        }
    }

    // ---- the own user agents' requests

    private void requestFromUa(Datagram d, SipMessage m) {
        String callId = m.first(Header.CALL_ID);
        Call call = calls.get(callId);
        if (m.methodIs("REGISTER")) {
            register(d.from(), m);
        } else if (call != null) {
            inDialogFromUa(d, m, call);
        } else if (m.methodIs("INVITE")) {
            newCall(d, m, callId);
        } else if (m.methodIs("OPTIONS")) {
            answer(m, Side.UA, d.from(), 200, "OK");
        } else if (m.methodIs("ACK")) {
            count("dropped.stray-ack");
        } else if (mode == Mode.SERVER) {
            forward(m, Side.PEER, settings.server(), m.requestUri(), null);
        } else {
            answer(m, Side.UA, d.from(), 480, "Temporarily Unavailable");
        }
    }

    private void inDialogFromUa(Datagram d, SipMessage m, Call call) {
        if (m.methodIs("INVITE") && !hasToTag(m)) {
            if (call.pending != null) {
                return;
            }
            if (call.outgoing && !call.p2p && !call.answered && mode == Mode.P2P) {
                count("calls.rerouted");
                lookUp(d.bytes(), d.from(), m, call);
                return;
            }
        }
        if (m.methodIs("BYE")) {
            call.expiresAt = clock.millis() + ENDED_MS;
        }
        boolean initial = !hasToTag(m) || (m.methodIs("ACK") && !call.answered);
        InetSocketAddress to = initial ? call.inviteHop : call.onward();
        if (to == null) {
            return;
        }
        String contact = ourContact(m, peerHostPort);
        boolean signed = call.outgoing && call.p2p && m.methodIs("INVITE") && !hasToTag(m);
        forward(m, Side.PEER, to, initial ? m.requestUri() : call.onwardUri(m.requestUri()), signed ? callerAuth(m, contact) : null, contact);
    }

    private void newCall(Datagram d, SipMessage m, String callId) {
        String callee = Aor.of(m.requestUri(), settings.domain());
        if (callee == null) {
            answer(m, Side.UA, d.from(), 404, "Not Found");
            return;
        }
        if (calls.size() >= settings.maxCalls()) {
            count("calls.refused.full");
            answer(m, Side.UA, d.from(), 503, "Service Unavailable");
            return;
        }
        String contact = m.first(Header.CONTACT);
        InetSocketAddress ua = contact == null ? null : Hop.ofUri(contact);
        Call call = new Call(true, callee, ua != null ? ua : d.from(), contact != null ? uri(contact) : "sip:" + hostPort(d.from()));
        call.startedNanos = clock.nanos();
        call.expiresAt = clock.millis() + UNANSWERED_MS;
        if (mode == Mode.SERVER) {
            calls.put(callId, call);
            call.inviteHop = settings.server();
            call.invite = d.bytes();
            call.inviteFrom = d.from();
            count("calls.via-server");
            forward(m, Side.PEER, settings.server(), m.requestUri(), null);
        } else if (!limiter.tryAcquire(clock.millis())) {
            count("calls.refused.rate");
            answer(m, Side.UA, d.from(), 503, "Service Unavailable");
        } else {
            calls.put(callId, call);
            lookUp(d.bytes(), d.from(), m, call);
        }
    }

    /**
     * Looks up the callee's proxy in the DHT; the INVITE waits in the call meanwhile. The key that
     * speaks for the callee comes from the roster, or — with a provider key — from the callee's
     * credential, itself looked up first.
     */
    private void lookUp(byte[] invite, InetSocketAddress from, SipMessage m, Call call) {
        String callId = m.first(Header.CALL_ID);
        byte[] providerKey = settings.providerKey();
        byte[] key = providerKey == null ? roster.keyOf(call.otherAor) : null;
        if (providerKey == null && key == null) {
            count("calls.refused.unknown-aor");
            calls.remove(callId);
            answer(m, Side.UA, from, 404, "Not Found");
            return;
        }
        if (providerKey != null && ownCredential(m) == null) {
            count("calls.refused.no-own-credential");
            calls.remove(callId);
            answer(m, Side.UA, from, 403, "Forbidden (no credential: register while the provider is up)");
            return;
        }
        call.p2p = true;
        call.pending = invite;
        call.pendingFrom = from;
        count("dht.lookups");
        if (key != null) {
            lookUpContact(callId, call, key);
        } else {
            dht.get(Credential.dhtKey(providerKey, call.otherAor)).whenComplete((r, e) -> runner.deliver(new FoundCredential(callId, r, e)));
        }
    }

    private void lookUpContact(String callId, Call call, byte[] key) {
        call.peerKey = key;
        dht.get(SignedValue.keyOf(key, call.otherAor.getBytes(StandardCharsets.UTF_8)))
                .whenComplete((r, e) -> runner.deliver(new Found(callId, r, e)));
    }

    private void onFoundCredential(FoundCredential f) {
        Call call = calls.get(f.callId());
        if (call == null || call.pending == null) {
            return;
        }
        if (f.error() != null || f.result().value() == null) {
            failPending(call, "calls.p2p.not-found", 480, "Temporarily Unavailable");
            return;
        }
        Credential.Checked c = unrevoked(Credential.check(f.result().value(), settings.providerKey(), call.otherAor, clock.millis()));
        if (c.verdict() != Credential.Verdict.OK) {
            String why = c.verdict().name().toLowerCase(Locale.ROOT);
            failPending(call, "calls.p2p.callee-credential." + why, 403, "Forbidden (callee credential " + why + ")");
            return;
        }
        lookUpContact(f.callId(), call, c.key());
    }

    private void onFound(Found f) {
        Call call = calls.get(f.callId());
        if (call == null || call.pending == null) {
            return;
        }
        InetSocketAddress callee = f.error() == null && f.result().value() != null ? contactOf(f.result().value()) : null;
        if (callee == null) {
            failPending(call, "calls.p2p.not-found", 480, "Temporarily Unavailable");
            return;
        }
        SipMessage m = SipParser.datagram(parsed, call.pending, 0, call.pending.length);
        call.pending = null;
        count("calls.via-dht");
        call.inviteHop = callee;
        String contact = ourContact(m, peerHostPort);
        forward(m, Side.PEER, callee, m.requestUri(), callerAuth(m, contact));
    }

    /** Answers the INVITE waiting in {@code call} from here, and lets the call end. */
    private void failPending(Call call, String counter, int status, String reason) {
        SipMessage m = SipParser.datagram(parsed, call.pending, 0, call.pending.length);
        InetSocketAddress from = call.pendingFrom;
        call.pending = null;
        count(counter);
        call.expiresAt = clock.millis() + ENDED_MS;
        answer(m, Side.UA, from, status, reason);
    }

    /** The caller's signature line, with the caller's credential when the provider issues them. */
    private String callerAuth(SipMessage m, String contact) {
        String auth = signer.sign(m, contact, clock.millis());
        SignedValue credential = ownCredential(m);
        return CallSigner.HEADER + ": " + auth + (credential == null ? "" : ";cred=" + Credential.encode(credential));
    }

    /** The provider's credential for the From AOR of the own user's request, unless it has expired; else null. */
    private SignedValue ownCredential(SipMessage m) {
        String aor = Aor.of(m.first(Header.FROM), settings.domain());
        SignedValue c = aor == null ? null : credentials.get(aor);
        return c != null && Credential.check(c, settings.providerKey(), aor, clock.millis()).verdict() == Credential.Verdict.OK ? c : null;
    }

    private static InetSocketAddress contactOf(SignedValue value) {
        String data = new String(value.data(), StandardCharsets.UTF_8);
        if (data.isEmpty()) {
            return null;
        }
        try {
            return HostPort.parse(data);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void register(InetSocketAddress from, SipMessage m) {
        String aor = Aor.of(m.first(Header.TO), settings.domain());
        String contact = m.first(Header.CONTACT);
        if (aor == null || contact == null) {
            answer(m, Side.UA, from, 400, "Bad Request");
            return;
        }
        String user = Aor.user(aor);
        int expires = expires(m, contact);
        long now = clock.millis();
        if (contact.strip().equals("*") || expires == 0) {
            if (registrations.remove(user) != null) {
                publish(aor, "");
            }
        } else {
            InetSocketAddress ua = Hop.ofUri(contact);
            Registration reg = new Registration(aor, ua != null ? ua : from, uri(contact), now + expires * 1000L);
            Registration old = registrations.put(user, reg);
            if (old == null || !old.ua().equals(reg.ua())) {
                publish(aor, peerHostPort);
            }
        }
        count("registers");
        if (mode == Mode.SERVER) {
            forward(m, Side.PEER, settings.server(), m.requestUri(), keyRequest(), "<sip:" + user + "@" + peerHostPort + ">;expires=" + expires);
        } else {
            answer(m, Side.UA, from, 200, "OK");
        }
    }

    private static int expires(SipMessage m, String contact) {
        String param = Hop.param(contact, "expires");
        for (int i = 0; param == null && i < m.headerCount(); i++) {
            if (m.kind(i) == Header.OTHER && m.name(i).equalsIgnoreCase("Expires")) {
                param = m.value(i).strip();
            }
        }
        return param != null && SipParser.digits(param, 9) ? Integer.parseInt(param) : DEFAULT_EXPIRES;
    }

    /** The header that asks the provider for a credential, when it issues them. */
    private String keyRequest() {
        return settings.providerKey() == null ? null : Credential.KEY_HEADER + ": " + HexFormat.of().formatHex(identity.publicKey());
    }

    /**
     * The provider's answer to a REGISTER may carry a credential for the AOR: kept, once it checks
     * (the provider's, for this AOR and this proxy's key, not expired), and put into the DHT.
     */
    private void takeCredential(SipMessage m) {
        String encoded = SipOut.header(m, Credential.HEADER);
        if (settings.providerKey() == null || encoded == null || m.status() >= 300) {
            return;
        }
        String aor = Aor.of(m.first(Header.TO), settings.domain());
        keep(aor, Credential.check(encoded, settings.providerKey(), aor, clock.millis()));
    }

    /** Keeps a checked credential for {@code aor} if it names this proxy's key, and puts it into the DHT. */
    private void keep(String aor, Credential.Checked c) {
        if (c.verdict() == Credential.Verdict.OK && !Arrays.equals(c.key(), identity.publicKey())) {
            c = new Credential.Checked(Credential.Verdict.MISMATCHED, null, null);
        }
        String outcome = c.verdict() == Credential.Verdict.OK ? "obtained" : c.verdict().name().toLowerCase(Locale.ROOT);
        events.accept(new CredentialOutcome(clock.millis(), peerHostPort, aor, outcome).toEvent());
        if (c.verdict() != Credential.Verdict.OK) {
            count("credentials.refused." + outcome);
            return;
        }
        count("credentials.obtained");
        credentials.put(aor, c.value());
        dht.put(c.value()).whenComplete((r, e) -> runner.deliver(new Stored(r, e)));
    }

    private void publish(String aor, String data) {
        if (settings.providerKey() == null && !Arrays.equals(roster.keyOf(aor), identity.publicKey())) {
            count("dht.put.not-ours");
            return;
        }
        lastSeq = Math.max(lastSeq + 1, clock.millis());
        dht.put(SignedValue.sign(identity, aor.getBytes(StandardCharsets.UTF_8), lastSeq, data.getBytes(StandardCharsets.UTF_8)))
                .whenComplete((r, e) -> runner.deliver(new Stored(r, e)));
    }

    private void responseFromUa(SipMessage m) {
        Call call = calls.get(m.first(Header.CALL_ID));
        String auth = null;
        String contact = ourContact(m, peerHostPort);
        if (call != null && !call.outgoing) {
            trackAnswer(call, m);
            if (call.p2p) {
                auth = CallSigner.HEADER + ": " + signer.sign(m, contact, clock.millis());
            }
        }
        sendResponse(m, Side.PEER, contact, auth);
    }

    // ---- the provider's and other proxies' messages

    private void requestFromPeer(InetSocketAddress from, SipMessage m) {
        Call call = calls.get(m.first(Header.CALL_ID));
        if (call != null && !call.outgoing && !call.p2p && m.methodIs("INVITE") && !hasToTag(m) && !from.equals(call.inviteHop)) {
            takeOverThroughDht(from, m, call);
        } else if (call != null) {
            if (!call.fromOtherSide(from)) {
                count("refused.not-the-dialog-peer");
                return;
            }
            if (m.methodIs("BYE")) {
                call.expiresAt = clock.millis() + ENDED_MS;
            }
            forward(m, Side.UA, call.ua, call.uaUri, null);
        } else if (m.methodIs("INVITE") && !hasToTag(m)) {
            incomingCall(from, m);
        } else if (m.methodIs("OPTIONS")) {
            answer(m, Side.PEER, from, 200, "OK");
        } else if (!m.methodIs("ACK")) {
            answer(m, Side.PEER, from, 481, "Call/Transaction Does Not Exist");
        }
    }

    /**
     * The caller's proxy sends through the DHT an INVITE that reached us through the provider
     * before it died: once its signature checks, the call continues on the direct path and our
     * answers are signed.
     */
    private void takeOverThroughDht(InetSocketAddress from, SipMessage m, Call call) {
        if (!authenticated(from, m)) {
            return;
        }
        call.p2p = true;
        call.inviteHop = from;
        count("calls.in.taken-over");
        forward(m, Side.UA, call.ua, call.uaUri, null);
    }

    private void incomingCall(InetSocketAddress from, SipMessage m) {
        boolean p2p = !from.equals(settings.server());
        if (p2p && !authenticated(from, m)) {
            return;
        }
        String callee = Aor.of(m.requestUri(), settings.domain());
        Registration reg = callee == null ? null : registrations.get(Aor.user(callee));
        if (reg == null) {
            answer(m, Side.PEER, from, 480, "Temporarily Unavailable");
            return;
        }
        if (calls.size() >= settings.maxCalls()) {
            count("calls.refused.full");
            answer(m, Side.PEER, from, 503, "Service Unavailable");
            return;
        }
        Call call = new Call(false, Aor.of(m.first(Header.FROM), settings.domain()), reg.ua(), reg.uri());
        call.p2p = p2p;
        call.inviteHop = from;
        String contact = m.first(Header.CONTACT);
        if (contact != null) {
            call.peer = Hop.ofUri(contact);
            call.peerUri = uri(contact);
        }
        call.expiresAt = clock.millis() + UNANSWERED_MS;
        calls.put(m.first(Header.CALL_ID), call);
        count(p2p ? "calls.in.via-dht" : "calls.in.via-server");
        forward(m, Side.UA, reg.ua(), reg.uri(), null);
    }

    /**
     * Whether a P2P INVITE is the caller's: signed with the key its credential (or the roster)
     * names for the From AOR; if not, answered 403 saying why, and counted.
     */
    private boolean authenticated(InetSocketAddress from, SipMessage m) {
        String caller = Aor.of(m.first(Header.FROM), settings.domain());
        long now = clock.millis();
        byte[] key;
        if (settings.providerKey() == null) {
            key = roster.keyOf(caller);
        } else {
            String auth = CallSigner.header(m);
            Credential.Checked c = unrevoked(Credential.check(auth == null ? null : Hop.param(";" + auth, "cred"), settings.providerKey(),
                    caller, now));
            if (c.verdict() != Credential.Verdict.OK) {
                String why = c.verdict().name().toLowerCase(Locale.ROOT);
                count("refused.credential." + why);
                answer(m, Side.PEER, from, 403, "Forbidden (credential " + why + ")");
                return false;
            }
            key = c.key();
        }
        CallSigner.Verdict verdict = signer.verify(m, now, key);
        if (verdict != CallSigner.Verdict.OK) {
            String why = verdict.name().toLowerCase(Locale.ROOT);
            count("refused.auth." + why);
            answer(m, Side.PEER, from, 403, "Forbidden (" + why.replace('_', ' ') + ")");
            return false;
        }
        return true;
    }

    /**
     * A checked credential of another proxy's, refused if the provider's revocation list voids it.
     * The own users' credentials are not held to the list: a revoked user's own proxy is not the
     * one to trust with refusing, the peers are.
     */
    private Credential.Checked unrevoked(Credential.Checked c) {
        return c.verdict() == Credential.Verdict.OK && revocations.revokes(c.value())
                ? new Credential.Checked(Credential.Verdict.REVOKED, null, null) : c;
    }

    private void fetchRevocations(long now) {
        nextRevocationFetch = now + settings.revocationsEvery().toMillis();
        dht.get(Revocations.dhtKey(settings.providerKey(), settings.domain()))
                .whenComplete((r, e) -> runner.deliver(new FoundRevocations(r, e)));
    }

    private void onFoundRevocations(FoundRevocations f) {
        if (f.error() != null || f.result().value() == null) {
            count("revocations.none");
            return;
        }
        Revocations list = Revocations.from(f.result().value(), settings.providerKey(), settings.domain());
        if (list == null) {
            count("revocations.refused");
            return;
        }
        count("revocations.fetched");
        if (list.seq() > revocations.seq()) {
            revocations = list;
        }
    }

    private void responseFromPeer(SipMessage m) {
        String callId = m.first(Header.CALL_ID);
        if (callId.equals(probeCallId)) {
            onProbeAnswer(m);
            return;
        }
        if (isResponseTo(m, "REGISTER")) {
            takeCredential(m);
        }
        if (callId.startsWith(REREGISTER)) {
            count(m.status() < 300 ? "reregistered" : "reregister.failed");
            return;
        }
        Call call = calls.get(callId);
        if (call != null && call.outgoing && !call.p2p && call.invite != null && isInviteResponse(m)
                && (m.status() == 404 || m.status() == 480)) {
            fallBackToDht(m, call);
            return;
        }
        if (call != null && call.outgoing) {
            if (call.p2p && m.status() > 100) {
                CallSigner.Verdict verdict = signer.verify(m, clock.millis(), call.peerKey);
                if (verdict != CallSigner.Verdict.OK) {
                    count("refused.auth." + verdict.name().toLowerCase(Locale.ROOT));
                    return;
                }
            }
            trackAnswer(call, m);
            String contact = m.first(Header.CONTACT);
            if (m.status() < 300 && m.status() >= 200 && isInviteResponse(m) && contact != null) {
                call.peer = Hop.ofUri(contact);
                call.peerUri = uri(contact);
            }
        }
        sendResponse(m, Side.UA, ourContact(m, uaHostPort), null);
    }

    /**
     * The provider does not know the callee — it has just come back and the callee's proxy has not
     * registered again yet, or it lost its bindings otherwise: acknowledge its answer and set the
     * call up through the DHT instead of failing it.
     */
    private void fallBackToDht(SipMessage m, Call call) {
        String cseq = m.first(Header.CSEQ).strip();
        String[] ack = {null, "Via: " + m.all(Header.VIA).getFirst(), "Max-Forwards: 70", "From: " + m.first(Header.FROM),
                "To: " + m.first(Header.TO), "Call-ID: " + m.first(Header.CALL_ID), "CSeq: " + cseq.substring(0, cseq.indexOf(' ')) + " ACK"};
        byte[] invite = call.invite;
        SipMessage original = SipParser.datagram(parsed, invite, 0, invite.length);
        ack[0] = "ACK " + original.requestUri() + " SIP/2.0";
        sendOwn(settings.server(), ack);
        count("calls.fallback-to-dht");
        lookUp(invite, call.inviteFrom, original, call);
    }

    private void trackAnswer(Call call, SipMessage m) {
        if (!isInviteResponse(m) || m.status() < 200 || call.answered) {
            return;
        }
        call.answered = true;
        call.invite = null;
        boolean ok = m.status() < 300;
        call.expiresAt = clock.millis() + (ok ? CONFIRMED_MS : ENDED_MS);
        if (ok && call.outgoing) {
            count(call.p2p ? "calls.answered.via-dht" : "calls.answered.via-server");
        }
    }

    private static boolean isInviteResponse(SipMessage m) {
        return isResponseTo(m, "INVITE");
    }

    private static boolean isResponseTo(SipMessage m, String method) {
        return m.first(Header.CSEQ).strip().endsWith(method);
    }

    // ---- the provider probe

    private void onProbeAnswer(SipMessage m) {
        count("probe.answers");
        String cseq = m.first(Header.CSEQ).strip();
        int space = cseq.indexOf(' ');
        String n = space < 0 ? cseq : cseq.substring(0, space);
        if (SipParser.digits(n, 18)) {
            apply(probe.onAnswer(Long.parseLong(n)));
        }
    }

    @Override
    public long nextDueMillis() {
        return Math.min(Math.min(probe.nextDue(), nextSweep), nextRevocationFetch);
    }

    @Override
    public void onTimer(long now) {
        if (now >= probe.nextDue()) {
            apply(probe.onTimer(now));
            sendOwn(settings.server(), "OPTIONS sip:" + serverHostPort + " SIP/2.0", "Via: " + via(Side.PEER, "z9hG4bKcsp" + probe.seq() + "." + probeCallId.hashCode()),
                    "Max-Forwards: 70", "From: <sip:cosip@" + peerHostPort + ">;tag=p" + Integer.toHexString(probeCallId.hashCode()),
                    "To: <sip:" + serverHostPort + ">", "Call-ID: " + probeCallId, "CSeq: " + probe.seq() + " OPTIONS");
        }
        if (now >= nextRevocationFetch) {
            fetchRevocations(now);
        }
        if (now >= nextSweep) {
            nextSweep = now + SWEEP_MS;
            calls.values().removeIf(c -> c.expiresAt <= now);
            registrations.values().removeIf(r -> r.expiresAt() <= now);
        }
    }

    private void apply(ProviderProbe.Change change) {
        if (change == ProviderProbe.Change.NONE) {
            return;
        }
        long now = clock.millis();
        boolean up = change == ProviderProbe.Change.UP;
        events.accept(new ProviderState(now, peerHostPort, serverHostPort, up, probe.misses()).toEvent());
        count(up ? "provider.up" : "provider.down");
        if (up) {
            reregister(now);
        }
        Mode to = up ? Mode.SERVER : Mode.P2P;
        events.accept(new ModeChange(now, peerHostPort, mode, to, up ? "provider-up" : "provider-down").toEvent());
        mode = to;
        if (!up) {
            if (settings.providerKey() != null) {
                fetchRevocations(now);
            }
            rerouteUnanswered();
        }
    }

    /** Calls sent to the provider and not answered yet go through the DHT now, without waiting for a retransmission. */
    private void rerouteUnanswered() {
        for (Call call : List.copyOf(calls.values())) {
            if (call.outgoing && !call.p2p && !call.answered && call.invite != null) {
                count("calls.rerouted");
                byte[] invite = call.invite;
                lookUp(invite, call.inviteFrom, SipParser.datagram(parsed, invite, 0, invite.length), call);
            }
        }
    }

    /** The provider may have lost its bindings while it was down: register every user again before calls go to it. */
    private void reregister(long now) {
        for (Registration reg : registrations.values()) {
            String user = Aor.user(reg.aor());
            long left = (reg.expiresAt() - now) / 1000;
            sendOwn(settings.server(), "REGISTER sip:" + serverHostPort + " SIP/2.0",
                    "Via: " + via(Side.PEER, "z9hG4bKcsr" + HexFormat.of().toHexDigits(random.nextLong())), "Max-Forwards: 70",
                    "From: <" + reg.aor() + ">;tag=r" + HexFormat.of().toHexDigits(random.nextInt()), "To: <" + reg.aor() + ">",
                    "Call-ID: " + REREGISTER + user + "-" + HexFormat.of().toHexDigits(random.nextLong()) + "@" + peerHostPort,
                    "CSeq: " + ++ownCseq + " REGISTER", "Contact: <sip:" + user + "@" + peerHostPort + ">;expires=" + left, keyRequest());
        }
    }

    // ---- writing and sending

    private void forward(SipMessage m, Side toSide, InetSocketAddress to, String requestUri, String auth) {
        forward(m, toSide, to, requestUri, auth, ourContact(m, toSide == Side.PEER ? peerHostPort : uaHostPort));
    }

    private void forward(SipMessage m, Side toSide, InetSocketAddress to, String requestUri, String auth, String contact) {
        int maxForwards = maxForwards(m);
        if (maxForwards <= 0) {
            answer(m, toSide == Side.PEER ? Side.UA : Side.PEER, Hop.ofVia(m.all(Header.VIA).getFirst()), 483, "Too Many Hops");
            return;
        }
        SipOut.request(m, out, requestUri, via(toSide, branch(m)), maxForwards - 1, contact, auth);
        send(toSide, to);
    }

    private void sendResponse(SipMessage m, Side toSide, String contact, String auth) {
        List<String> vias = m.all(Header.VIA);
        InetSocketAddress to = vias.size() < 2 ? null : Hop.ofVia(vias.get(1));
        if (to == null) {
            count("dropped.response-without-via");
            return;
        }
        SipOut.response(m, out, contact, auth);
        send(toSide, to);
    }

    private void answer(SipMessage m, Side side, InetSocketAddress to, int status, String reason) {
        if (to == null) {
            return;
        }
        SipWriter.answer(m, out, status, reason, "cs" + Integer.toHexString(m.first(Header.CALL_ID).hashCode()), null);
        out.flip();
        send(side, to);
    }

    private void sendOwn(InetSocketAddress to, String... lines) {
        SipOut.own(out, lines);
        send(Side.PEER, to);
    }

    private void send(Side side, InetSocketAddress to) {
        try {
            (side == Side.UA ? uaChannel : peerChannel).send(out, to);
        } catch (IOException e) {
            count("send.failed");
        }
    }

    private String via(Side side, String branch) {
        return "SIP/2.0/UDP " + (side == Side.UA ? uaHostPort : peerHostPort) + ";branch=" + branch;
    }

    /**
     * The branch for a forwarded request, derived from the incoming one so that a retransmission,
     * and the CANCEL of an INVITE, get the same branch as the original.
     */
    private static String branch(SipMessage m) {
        String b = Hop.param(m.all(Header.VIA).getFirst(), "branch");
        if (b == null || !b.startsWith("z9hG4bK")) {
            b = "z9hG4bK" + Integer.toHexString((m.first(Header.CALL_ID) + m.first(Header.CSEQ)).hashCode());
        }
        return b + ".cs";
    }

    private static int maxForwards(SipMessage m) {
        String v = m.first(Header.MAX_FORWARDS);
        return v != null && SipParser.digits(v.strip(), 3) ? Integer.parseInt(v.strip()) : 70;
    }

    /** This proxy's Contact in place of the message's (which keeps its user part), or null when it has none. */
    private static String ourContact(SipMessage m, String hostPort) {
        String contact = m.first(Header.CONTACT);
        if (contact == null || contact.strip().equals("*")) {
            return null;
        }
        String userAtHost = Hop.aor(contact);
        int at = userAtHost.indexOf('@');
        return "<sip:" + (at > 0 ? userAtHost.substring(0, at) + "@" : "") + hostPort + ">";
    }

    private static String uri(String contact) {
        String inside = Hop.bracketed(contact);
        if (inside != null) {
            return inside;
        }
        int semi = contact.indexOf(';');
        return (semi < 0 ? contact : contact.substring(0, semi)).strip();
    }

    private static boolean hasToTag(SipMessage m) {
        String to = m.first(Header.TO);
        return to != null && Hop.param(to, "tag") != null;
    }

    private void count(String name) {
        counters.merge(name, 1L, Long::sum);
    }

    @Override
    public void onClose() throws IOException {
        uaChannel.close();
        peerChannel.close();
    }

    @Override
    public void close() throws InterruptedException {
        runner.close();
        for (DatagramPump p : pumps) {
            p.close();
        }
    }
}
