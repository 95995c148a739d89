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

    /** A REGISTER of {@code user} at example.org with this endpoint as its Contact. */
    String register(String user) {
        return "REGISTER sip:example.org SIP/2.0\r\nVia: SIP/2.0/UDP " + hostPort() + ";branch=z9hG4bKr" + user + "\r\n"
                + "From: <sip:" + user + "@example.org>;tag=r\r\nTo: <sip:" + user + "@example.org>\r\nCall-ID: reg-" + user + "@x\r\n"
                + "CSeq: 1 REGISTER\r\nContact: <sip:" + user + "@" + hostPort() + ">\r\nContent-Length: 0\r\n\r\n";
    }

    /** A 200 to {@code invite} as a callee's proxy would send it, without the Content-Length and the end of headers. */
    static String answer(String invite, String contactHostPort) {
        StringBuilder b = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (String line : invite.split("\r\n")) {
            if (line.startsWith("Via:") || line.startsWith("From:") || line.startsWith("Call-ID:") || line.startsWith("CSeq:")) {
                b.append(line).append("\r\n");
            } else if (line.startsWith("To:")) {
                b.append(line).append(";tag=b1\r\n");
            }
        }
        return b.append("Contact: <sip:bob@").append(contactHostPort).append(">\r\n").toString();
    }

    static String status(String message) {
        return message.substring(8, 11);
    }

    @Override
    public void close() {
        socket.close();
    }
}
