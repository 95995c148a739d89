package dev.d2r2.p2psip.auth;

import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.agent.DatagramPump;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The authentication server on a UDP socket, as a single-threaded agent: each datagram is one
 * request ({@link AsRequest}) and gets one answer ({@link AsReply}) — certificates, or a refusal
 * with its reason, counted. Nothing a datagram holds can stop the server: a request fails alone.
 */
public final class AuthServer implements Agent, AutoCloseable {
    /**
     * @param listen       the UDP address to bind; loopback unless users reach it over a network
     * @param replayWindow how far a request's time may be from the server's clock
     */
    public record Settings(InetSocketAddress listen, Duration replayWindow) {
    }

    private record Datagram(InetSocketAddress from, byte[] bytes) {
    }

    private static final int INBOX = 1024;

    private final CertificateAuthority authority;
    private final Enrolments enrolments;
    private final Clock clock;
    private final ReplayGuard replays;
    private final DatagramChannel channel;
    private final InetSocketAddress address;
    private final AgentRunner runner;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong issued = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLongArray refused = new AtomicLongArray(Refusal.values().length);
    private volatile DatagramPump pump;

    private AuthServer(Settings settings, CertificateAuthority authority, Enrolments enrolments, Clock clock) throws IOException {
        this.authority = authority;
        this.enrolments = enrolments;
        this.clock = clock;
        this.replays = new ReplayGuard(settings.replayWindow().toMillis());
        this.channel = DatagramChannel.open(settings.listen().getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        channel.bind(settings.listen());
        this.address = (InetSocketAddress) channel.getLocalAddress();
        this.runner = new AgentRunner(this, INBOX, clock);
    }

    public static AuthServer start(Settings settings, CertificateAuthority authority, Enrolments enrolments, Clock clock) throws IOException {
        AuthServer server = new AuthServer(settings, authority, enrolments, clock);
        server.runner.start();
        server.pump = DatagramPump.start(server.roleName(), server.channel, AsRequest.MAX_BYTES, server.runner, Datagram::new);
        return server;
    }

    @Override
    public String roleName() {
        return "p2psip-as-" + address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    public byte[] publicKey() {
        return authority.publicKey();
    }

    @Override
    public void onMessage(Object message) {
        if (!(message instanceof Datagram d)) {
            throw new IllegalArgumentException("not an authentication server message: " + message);
        }
        requests.incrementAndGet();
        byte[] answer = AsReply.encode(answer(d.bytes()));
        try {
            channel.send(ByteBuffer.wrap(answer), d.from());
        } catch (IOException e) {
            sendFailures.incrementAndGet();
        }
    }

    private AsReply answer(byte[] bytes) {
        long[] nonce = {0};
        try {
            List<Certificate> certificates = issue(AsRequest.decode(bytes, nonce));
            issued.addAndGet(certificates.size());
            return new AsReply.Issued(nonce[0], certificates);
        } catch (RequestRefused e) {
            refused.incrementAndGet(e.refusal().ordinal());
            Refusal told = e.refusal().answered();
            return new AsReply.Refused(nonce[0], told, told == Refusal.BAD_MAC ? "unknown user or wrong secret" : e.getMessage());
        }
    }

    private List<Certificate> issue(AsRequest.Received received) throws RequestRefused {
        AsRequest r = received.request();
        byte[] secret = enrolments.secret(r.user());
        if (secret == null) {
            throw new RequestRefused(Refusal.UNKNOWN_USER, r.user());
        }
        if (!received.authentic(secret)) {
            throw new RequestRefused(Refusal.BAD_MAC, r.user());
        }
        long now = clock.millis();
        replays.check(r.user(), r.nonce(), r.timeMillis(), now);
        for (KeyProof k : r.keys()) {
            if (!k.holds(r.nonce(), r.kind())) {
                throw new RequestRefused(Refusal.BAD_PROOF, "a key's signature over the request does not check");
            }
        }
        long epoch = authority.epochOf(now);
        if (r.kind().pseudonym()) {
            int had = enrolments.issuedIn(r.user(), r.kind(), epoch);
            int quota = authority.policy().pseudonymsPerEpoch();
            if (had + r.keys().size() > quota) {
                throw new RequestRefused(Refusal.QUOTA, had + " " + r.kind() + " pseudonyms issued this epoch, at most " + quota);
            }
        }
        List<Certificate> certificates = new ArrayList<>(r.keys().size());
        for (KeyProof k : r.keys()) {
            Certificate c = r.kind().pseudonym() ? authority.pseudonym(r.kind(), k.publicKey(), now)
                    : authority.identity(r.user(), k.publicKey(), now);
            enrolments.record(r.user(), c, epoch);
            certificates.add(c);
        }
        return certificates;
    }

    public AsStatus status() {
        Map<Refusal, Long> counts = new EnumMap<>(Refusal.class);
        for (Refusal r : Refusal.values()) {
            counts.put(r, refused.get(r.ordinal()));
        }
        return new AsStatus(requests.get(), issued.get(), counts, pump == null ? 0 : pump.inboxFull(), sendFailures.get());
    }

    @Override
    public void onClose() throws IOException {
        channel.close();
    }

    @Override
    public void close() throws InterruptedException {
        runner.close();
        if (pump != null) {
            pump.close();
        }
    }
}
