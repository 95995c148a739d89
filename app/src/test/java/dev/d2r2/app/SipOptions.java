package dev.d2r2.app;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A SIP OPTIONS ping over UDP from a test's socket: is something answering 200 at an address? */
final class SipOptions {
    private SipOptions() {
    }

    /**
     * Sends one OPTIONS (its Call-ID made from {@code seq}) from {@code socket}, bound to a
     * concrete address, and waits up to the socket's timeout for its 200.
     */
    static boolean answered(DatagramSocket socket, InetSocketAddress target, int seq) throws IOException {
        String callId = "options-" + seq;
        String from = socket.getLocalAddress().getHostAddress();
        String to = target.getAddress().getHostAddress();
        String request = "OPTIONS sip:" + to + ":" + target.getPort() + " SIP/2.0\r\nVia: SIP/2.0/UDP " + from + ":"
                + socket.getLocalPort() + ";branch=z9hG4bK-" + seq + "\r\nFrom: <sip:test@" + from + ">;tag=t" + seq
                + "\r\nTo: <sip:" + to + ">\r\nCall-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
        byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
        socket.send(new DatagramPacket(bytes, bytes.length, target));
        byte[] buffer = new byte[4096];
        DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
        try {
            while (true) {
                socket.receive(reply);
                String text = new String(buffer, 0, reply.getLength(), StandardCharsets.US_ASCII);
                if (text.startsWith("SIP/2.0 200") && text.contains(callId)) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        }
    }
}
