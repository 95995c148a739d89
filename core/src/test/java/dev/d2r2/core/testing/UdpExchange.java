package dev.d2r2.core.testing;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** A request over UDP as a user agent sends it: again each second until the awaited answer comes. */
public final class UdpExchange {
    private UdpExchange() {
    }

    /**
     * Sends {@code message} from {@code socket} to {@code to}, again each second, until {@code at}
     * receives a datagram {@code awaited} takes (others are skipped), for at most {@code atMost};
     * returns the datagram's text.
     */
    public static String exchange(DatagramSocket socket, String message, InetSocketAddress to, DatagramSocket at,
                                  Predicate<String> awaited, Duration atMost) {
        AtomicReference<String> got = new AtomicReference<>();
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        await().atMost(atMost).until(() -> {
            socket.send(new DatagramPacket(bytes, bytes.length, to));
            at.setSoTimeout(1000);
            byte[] buffer = new byte[8192];
            try {
                while (true) {
                    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                    at.receive(p);
                    String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                    if (awaited.test(text)) {
                        got.set(text);
                        return true;
                    }
                }
            } catch (SocketTimeoutException e) {
                return false;
            }
        });
        return got.get();
    }
}
