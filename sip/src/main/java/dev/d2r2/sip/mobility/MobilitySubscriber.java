package dev.d2r2.sip.mobility;

import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import dev.d2r2.sip.codec.SipWriter;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * A {@code server-mobility} subscriber over UDP (docs/migration.md#the-server-mobility-event-package):
 * it subscribes with a fresh key, answers every NOTIFY of its dialog as its {@link MobilityVerifier}
 * judges it (200, 403 forged, 500 stale...) and follows the server only to addresses of NOTIFYs
 * taken. One thread uses it at a time.
 */
public final class MobilitySubscriber implements AutoCloseable {
    private final DatagramChannel channel;
    private final Selector selector;
    private final String self;
    private final MobilityVerifier verifier;
    private final String callId;
    private final ByteBuffer in = ByteBuffer.allocate(SipParser.MAX_MESSAGE + 1);
    private final ByteBuffer out = ByteBuffer.allocate(SipParser.MAX_MESSAGE + 4096);
    private volatile String server;

    /** Bound at {@code local} (port 0 for any), for the dialog {@code callId}. */
    public MobilitySubscriber(InetSocketAddress local, String callId) throws IOException {
        this.channel = DatagramChannel.open().bind(local);
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        InetSocketAddress at = (InetSocketAddress) channel.getLocalAddress();
        this.self = at.getHostString() + ":" + at.getPort();
        this.callId = callId;
        this.verifier = MobilityVerifier.fresh(callId, "ua", new SecureRandom());
    }

    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Sends the initial SUBSCRIBE, with its key, to the server at {@code host:port}. */
    public void subscribe(String at) throws IOException {
        server = at;
        String text = "SUBSCRIBE sip:server@" + at + " SIP/2.0\r\nVia: SIP/2.0/UDP " + self + ";branch=z9hG4bKs"
                + Long.toHexString(System.nanoTime()) + "\r\nFrom: <sip:ua@" + self + ">;tag=ua\r\nTo: <sip:server@" + at + ">\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:ua@" + self + ">\r\nMax-Forwards: 70\r\n"
                + "Event: server-mobility\r\n" + verifier.keyHeader() + "\r\nContent-Length: 0\r\n\r\n";
        channel.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), Hop.hostPort(at, 5060));
    }

    /**
     * Waits up to {@code timeout} for the next NOTIFY (responses and other requests are skipped),
     * answers it and returns the verdict; {@code duplicates}: whether a retransmission of the last
     * one taken counts as the next. SocketTimeoutException when none came.
     */
    public MobilityVerifier.Check next(Duration timeout, boolean duplicates) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SipMessage m = receive(deadline);
            if (!m.isRequest() || !m.methodIs("NOTIFY") || m.count(Header.VIA) == 0) {
                continue;
            }
            MobilityVerifier.Check c = verifier.check(m);
            SipWriter.answer(m, out, c.verdict().status, c.verdict().reason, null, null);
            out.flip();
            InetSocketAddress via = Hop.ofVia(m.first(Header.VIA));
            if (via != null) {
                channel.send(out, via);
            }
            if (c.address() != null) {
                server = c.address();
            }
            if (duplicates || c.verdict() != MobilityVerifier.Verdict.DUPLICATE) {
                return c;
            }
        }
    }

    private SipMessage receive(long deadline) throws IOException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || selector.select(Math.max(1, left / 1_000_000)) == 0) {
                if (System.nanoTime() >= deadline) {
                    throw new SocketTimeoutException("no NOTIFY");
                }
                continue;
            }
            selector.selectedKeys().clear();
            in.clear();
            if (channel.receive(in) != null) {
                SipMessage m = SipParser.datagram(in.array(), 0, in.position());
                if (m.malformation() == null) {
                    return m;
                }
            }
        }
    }

    /** Where the server is, as the NOTIFYs taken say. */
    public String server() {
        return server;
    }

    public MobilityVerifier verifier() {
        return verifier;
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
