package dev.d2r2.sip.edge;

import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** A bare user agent client on a real UDP socket for tests: one request at a time, its final status back. */
final class Caller implements AutoCloseable {
    private final DatagramSocket socket;
    private int cseq;

    Caller() throws IOException {
        this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        socket.setSoTimeout(5000);
    }

    /** Sets up a call (INVITE, and ACK on its 200) and returns its Call-ID. */
    String call(InetSocketAddress to) throws IOException {
        String callId = UUID.randomUUID() + "@test";
        int status = send(to, "INVITE", callId);
        if (status != 200) {
            throw new IllegalStateException("INVITE answered " + status);
        }
        socket.send(packet(to, "ACK", callId, ""));
        return callId;
    }

    /** Sends a BYE for a call and returns the status of its final answer. */
    int bye(InetSocketAddress to, String callId) throws IOException {
        return send(to, "BYE", callId, "");
    }

    /** As {@link #bye(InetSocketAddress, String)}, with a Route header (the dialog's Record-Route) on it. */
    int bye(InetSocketAddress to, String callId, String route) throws IOException {
        return send(to, "BYE", callId, "Route: " + route + "\r\n");
    }

    private int send(InetSocketAddress to, String method, String callId) throws IOException {
        return send(to, method, callId, "");
    }

    private int send(InetSocketAddress to, String method, String callId, String extra) throws IOException {
        socket.send(packet(to, method, callId, extra));
        byte[] buf = new byte[65_536];
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            socket.receive(p);
            SipMessage m = SipParser.datagram(buf, 0, p.getLength());
            if (!m.isRequest() && m.status() >= 200 && callId.equals(m.first(Header.CALL_ID))) {
                return m.status();
            }
        }
    }

    private DatagramPacket packet(InetSocketAddress to, String method, String callId, String extra) {
        int n = method.equals("ACK") ? cseq : ++cseq;
        String self = "127.0.0.1:" + socket.getLocalPort();
        String text = method + " sip:service@" + to.getHostString() + ":" + to.getPort() + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + self + ";branch=z9hG4bK" + UUID.randomUUID() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:caller@127.0.0.1>;tag=caller\r\n"
                + "To: <sip:service@" + to.getHostString() + ">" + (method.equals("INVITE") ? "" : ";tag=callee") + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + n + " " + method + "\r\n"
                + "Contact: <sip:caller@" + self + ">\r\n"
                + extra
                + "Content-Length: 0\r\n\r\n";
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return new DatagramPacket(b, b.length, to);
    }

    @Override
    public void close() {
        socket.close();
    }
}
