package dev.d2r2.p2psip.ua;

import dev.d2r2.p2psip.contact.BadContact;
import dev.d2r2.p2psip.contact.ContactCounters;
import dev.d2r2.p2psip.events.UaStatus;
import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The SIP face of a user agent: a local SIP proxy over UDP for an unmodified SIP user agent. A
 * new request from the local agent (INVITE, MESSAGE, ...) goes to the user its Request-URI
 * names, looked up in the address book (user → identity key); everything else of that call —
 * responses, ACK, BYE — follows its Call-ID to the same user. Messages are carried as they are:
 * the two agents' Via and Contact headers stay theirs, and each face sends what arrives through
 * Pr2-P2PSIP to its own local agent, so neither agent learns the other's address.
 */
public final class SipFace implements AutoCloseable {
    private static final int MAX_CALLS = 10_000;
    private static final int MAX_REMEMBERED = 4_096;

    private final UserAgent ua;
    private final Map<String, byte[]> addressBook;
    private final DatagramSocket socket;
    private final Map<String, byte[]> calls = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > MAX_CALLS;
        }
    });
    /** Recent messages from the local agent (by digest) and the route each took, to recognise retransmissions. */
    private final Map<String, CompletableFuture<Route>> sentRecently = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<Route>> eldest) {
                    return size() > MAX_REMEMBERED;
                }
            });
    private final AtomicLong fromLocal = new AtomicLong();
    private final AtomicLong absorbed = new AtomicLong();
    private final AtomicLong fromRemote = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile InetSocketAddress localAgent;

    /**
     * @param listen      where the local SIP agent sends (its outbound proxy)
     * @param localAgent  where calls to this user are delivered (the local agent's SIP port); null: the source of the last local message
     * @param addressBook SIP user name → identity key of the users this agent calls
     */
    public SipFace(UserAgent ua, InetSocketAddress listen, InetSocketAddress localAgent, Map<String, byte[]> addressBook)
            throws SocketException {
        this.ua = ua;
        this.addressBook = Map.copyOf(addressBook);
        this.localAgent = localAgent;
        this.socket = new DatagramSocket(listen);
        ua.onMessage(this::fromRemote);
        Thread.ofVirtual().name("d2r2-sipface-" + socket.getLocalPort()).start(this::receiveLocal);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void receiveLocal() {
        byte[] buf = new byte[SipParser.MAX_MESSAGE];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        while (!socket.isClosed()) {
            try {
                socket.receive(packet);
            } catch (IOException e) {
                return;
            }
            if (localAgent == null || !localAgent.equals(packet.getSocketAddress())) {
                localAgent = (InetSocketAddress) packet.getSocketAddress();
            }
            fromLocal(Arrays.copyOf(buf, packet.getLength()));
        }
    }

    private void fromLocal(byte[] bytes) {
        SipMessage m = parse(bytes);
        byte[] to = m == null ? null : destination(m);
        if (to == null || bytes.length > UserAgent.MAX_MESSAGE) {
            refused.incrementAndGet();
            return;
        }
        String digest = digest(bytes);
        CompletableFuture<Route> earlier = sentRecently.get(digest);
        if (earlier == null) {
            send(to, bytes, digest);
        } else {
            retransmitted(to, bytes, digest, earlier);
        }
    }

    private void send(byte[] to, byte[] bytes, String digest) {
        fromLocal.incrementAndGet();
        CompletableFuture<Route> via = ua.send(to, bytes);
        sentRecently.put(digest, via);
        via.exceptionally(e -> {
            refused.incrementAndGet();
            sentRecently.remove(digest, via);
            return null;
        });
    }

    /**
     * A UDP agent retransmits until it hears an answer, but the tunnels lose nothing: a retransmission is
     * absorbed while its original is on its way or went the route the callee is still reached by, and
     * sent again only when that route changed (this agent's outbound tunnel was rebuilt, or the callee
     * published a new entry point after rebuilding its tunnel), since then the original may have been
     * lost with the old tunnel. The route is checked against the callee's contact data looked up again in
     * the storage overlay, not the cached copy: no answer yet is the caller's sign that it may be stale.
     */
    private void retransmitted(byte[] to, byte[] bytes, String digest, CompletableFuture<Route> earlier) {
        if (!earlier.isDone()) {
            absorbed.incrementAndGet();
            return;
        }
        ua.routeAfterLookup(to).whenComplete((now, failure) -> {
            if (failure == null && now.equals(earlier.join())) {
                absorbed.incrementAndGet();
            } else {
                send(to, bytes, digest);
            }
        });
    }

    private static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private byte[] destination(SipMessage m) {
        byte[] known = calls.get(m.first(Header.CALL_ID));
        if (known != null || !m.isRequest()) {
            return known;
        }
        byte[] key = addressBook.get(user(m.requestUri()));
        if (key != null) {
            calls.put(m.first(Header.CALL_ID), key);
        }
        return key;
    }

    /** The user part of a SIP URI ({@code sip:bob@host:port;params} → {@code bob}), or null. */
    static String user(String uri) {
        int colon = uri.indexOf(':');
        int at = uri.indexOf('@');
        return colon < 0 || at <= colon + 1 ? null : uri.substring(colon + 1, at);
    }

    private void fromRemote(byte[] sender, byte[] bytes) {
        SipMessage m = parse(bytes);
        InetSocketAddress agent = localAgent;
        if (m == null || agent == null) {
            refused.incrementAndGet();
            return;
        }
        calls.put(m.first(Header.CALL_ID), sender);
        fromRemote.incrementAndGet();
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, agent));
        } catch (IOException e) {
            refused.incrementAndGet();
        }
    }

    private static SipMessage parse(byte[] bytes) {
        SipMessage m = SipParser.datagram(bytes, 0, bytes.length);
        return m == null || m.malformation() != null || m.first(Header.CALL_ID) == null ? null : m;
    }

    /** SIP messages from the local agent sent on through Pr2-P2PSIP. */
    public long fromLocal() {
        return fromLocal.get();
    }

    /** SIP messages from other users delivered to the local agent. */
    public long fromRemote() {
        return fromRemote.get();
    }

    /** Retransmissions from the local agent not sent again (their original went the callee's current route). */
    public long absorbed() {
        return absorbed.get();
    }

    /** Messages dropped: not SIP, no Call-ID, an unknown callee, too large for a cell, or no local agent yet. */
    public long refused() {
        return refused.get();
    }

    /** This face's and its user agent's counters, as a {@code p2psip.ua.status} event. */
    public UaStatus status(long time) {
        ContactCounters c = ua.contacts();
        return new UaStatus(time, address().getHostString() + ":" + address().getPort(), c.published(), c.publishFailures(), c.lookups(),
                c.retries(), c.notFound(), c.refused(BadContact.Reason.EXPIRED), c.refused(BadContact.Reason.FORGED),
                c.refused(BadContact.Reason.MALFORMED), ua.sent(), ua.received(), ua.refused(), fromLocal(), fromRemote(), refused(),
                absorbed(), ua.rebuilt());
    }

    @Override
    public void close() {
        socket.close();
        ua.close();
    }

    @Override
    public String toString() {
        return "sip face " + address() + " of " + HexFormat.of().formatHex(ua.identityKey(), 0, 4);
    }
}
