package dev.d2r2.cosip;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A bare SIP endpoint on a loopback UDP socket: sends text, receives text (or fails after 5 s). */
final class RawUa implements AutoCloseable {
    final DatagramSocket socket;

    RawUa() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setSoTimeout(5000);
    }

    String hostPort() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    void send(String text, InetSocketAddress to) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, to));
    }

    String receive() throws IOException {
        byte[] buf = new byte[65_535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        return new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
    }

    /** An INVITE from alice to {@code callee} with this endpoint's Via and Contact, and {@code extra} header lines. */
    String invite(String callee, String callId, String extra) {
        return "INVITE sip:" + callee + "@example.org SIP/2.0\r\nVia: SIP/2.0/UDP " + hostPort() + ";branch=z9hG4bK" + callId + "\r\n"
                + "From: <sip:alice@example.org>;tag=a1\r\nTo: <sip:" + callee + "@example.org>\r\nCall-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\nContact: <sip:alice@" + hostPort() + ">\r\nMax-Forwards: 70\r\n" + extra
                + "Content-Length: 0\r\n\r\n";
    }

    static String status(String message) {
        return message.substring(8, 11);
    }

    @Override
    public void close() {
        socket.close();
    }
}
