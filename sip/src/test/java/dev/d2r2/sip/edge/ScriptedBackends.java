package dev.d2r2.sip.edge;

import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import dev.d2r2.sip.codec.SipWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * SIP servers for tests, on real sockets: each answers the edge's probes 200 and other requests
 * as told, with the status line ({@code "200 OK"}) and optionally Via parameters to add to the
 * edge's Via ({@code "200 OK oc=100"}); it records the requests it got as "METHOD Call-ID".
 */
final class ScriptedBackends implements AutoCloseable {
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<DatagramSocket> sockets = new CopyOnWriteArrayList<>();

    /** A backend that answers probes 200 and other requests as {@code answer} says (null: silence). */
    DatagramSocket start(Function<SipMessage, String> answer, List<String> seen) throws Exception {
        DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        sockets.add(s);
        threads.add(Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[65_536];
            ByteBuffer out = ByteBuffer.allocate(70_000);
            while (!s.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                    SipMessage m = SipParser.datagram(buf, 0, p.getLength());
                    boolean probe = m.first(Header.CALL_ID).startsWith("d2r2probe-");
                    if (!probe) {
                        seen.add(m.method() + " " + m.first(Header.CALL_ID));
                    }
                    String response = probe ? "200 OK" : answer.apply(m);
                    if (response == null || m.methodIs("ACK")) {
                        continue;
                    }
                    String[] parts = response.split(" ", 3);
                    String extra = parts.length > 2 ? parts[2] : null;
                    SipWriter.answer(m, out, Integer.parseInt(parts[0]), parts[1], "b", null);
                    String text = new String(out.array(), 0, out.position(), StandardCharsets.ISO_8859_1);
                    if (extra != null) {
                        text = text.replaceFirst(";oc\r\n", ";" + extra + "\r\n");
                    }
                    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
                    s.send(new DatagramPacket(b, b.length, p.getSocketAddress()));
                } catch (SocketException e) {
                    return;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }));
        return s;
    }

    @Override
    public void close() {
        sockets.forEach(DatagramSocket::close);
        try {
            for (Thread t : threads) {
                t.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
