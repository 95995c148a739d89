package dev.d2r2.scale;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The health check that admits an instance to the edge: a SIP OPTIONS over UDP, sent again every
 * {@code every} until a 200 with its Call-ID comes back or the deadline passes — what the edge's
 * own prober asks of a backend, so an instance that passes here is one the edge keeps up.
 */
public final class SipProbe {
    private static final AtomicLong SEQ = new AtomicLong();
    private static final int MAX_DATAGRAM = 8192;

    private SipProbe() {
    }

    /** Whether {@code host:port} answered OPTIONS with 200 within {@code deadline}. */
    public static boolean healthy(String host, int port, Duration deadline, Duration every) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        try (DatagramSocket socket = new DatagramSocket()) {
            InetSocketAddress target = new InetSocketAddress(host, port);
            socket.connect(target);
            String local = socket.getLocalAddress().getHostAddress();
            byte[] buffer = new byte[MAX_DATAGRAM];
            while (System.nanoTime() < end) {
                long n = SEQ.incrementAndGet();
                String callId = "d2r2-scale-" + ProcessHandle.current().pid() + "-" + n + "@" + local;
                byte[] request = options(host, port, local, socket.getLocalPort(), callId, n).getBytes(StandardCharsets.US_ASCII);
                try {
                    socket.send(new DatagramPacket(request, request.length));
                } catch (IOException e) {
                    // the instance's address is not reachable yet (its link is coming up): try again
                }
                long waitUntil = Math.min(end, System.nanoTime() + every.toNanos());
                while (System.nanoTime() < waitUntil) {
                    socket.setSoTimeout((int) Math.max(1, (waitUntil - System.nanoTime()) / 1_000_000));
                    DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                    try {
                        socket.receive(reply);
                    } catch (SocketTimeoutException e) {
                        break;
                    } catch (IOException e) {
                        break;
                    }
                    String text = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII);
                    if (text.startsWith("SIP/2.0 200") && text.contains(callId)) {
                        return true;
                    }
                }
                sleepOut(waitUntil);
            }
            return false;
        }
    }

    /** After an ICMP error (nothing listens yet) the receive returns at once; wait out the interval. */
    private static void sleepOut(long untilNanos) {
        long left = untilNanos - System.nanoTime();
        if (left > 0) {
            try {
                Thread.sleep(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String options(String host, int port, String local, int localPort, String callId, long n) {
        return "OPTIONS sip:" + host + ":" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + local + ":" + localPort + ";branch=z9hG4bK-d2r2-scale-" + n + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:scaler@" + local + ">;tag=d2r2-scale\r\n"
                + "To: <sip:" + host + ":" + port + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + n + " OPTIONS\r\n"
                + "Accept: application/sdp\r\n"
                + "Content-Length: 0\r\n\r\n";
    }
}
