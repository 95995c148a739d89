package dev.d2r2.overlay.route;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Route agents on loopback: the tunnel carries an application's datagrams to a service behind
 * the destination agent and its answers back; junk, foreign-key and replayed datagrams are
 * dropped and counted, and the agent goes on working. (The black hole and the relay need
 * namespaces: RouteNamespaceTest in the app module.)
 */
class RouteAgentTest {
    private final byte[] key = new byte[32];
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private DatagramSocket service;
    private Thread echo;
    private RouteAgent destination;
    private RouteAgent source;

    @BeforeEach
    void start() throws Exception {
        service = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        echo = Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[2000];
            while (!service.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    service.receive(p);
                    service.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                } catch (java.io.IOException e) {
                    return;
                }
            }
        });
        destination = RouteAgent.start(settings(null, 0, null), e -> { }, Clock.system());
        source = RouteAgent.start(settings(destination.address(), service.getLocalPort(), new InetSocketAddress("127.0.0.1", 0)),
                events::add, Clock.system());
    }

    private RouteAgent.Settings settings(InetSocketAddress dest, int port, InetSocketAddress entrance) {
        return new RouteAgent.Settings(new InetSocketAddress("127.0.0.1", 0), key, List.of(), dest, port, entrance,
                RouteAgent.Algorithm.FLOODING, 4, Duration.ofSeconds(1), WarpConfig.defaults(), Duration.ofMillis(100), 3, 3,
                RouteAgent.Remediation.AUTONOMOUS);
    }

    @AfterEach
    void stop() throws Exception {
        source.close();
        destination.close();
        service.close();
        echo.join(5000);
    }

    @Test
    void theTunnelCarriesDatagramsToTheServiceAndBackAndJunkIsCounted() throws Exception {
        try (DatagramSocket app = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            app.setSoTimeout(5000);
            InetSocketAddress entrance = source.entranceAddress();
            byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
            app.send(new DatagramPacket(hello, hello.length, entrance));
            byte[] buf = new byte[100];
            DatagramPacket back = new DatagramPacket(buf, buf.length);
            app.receive(back);
            assertThat(new String(buf, 0, back.getLength(), StandardCharsets.UTF_8)).isEqualTo("hello");

            byte[] junk = "\u0044\u0052junk that is not a route packet at all".getBytes(StandardCharsets.ISO_8859_1);
            app.send(new DatagramPacket(junk, junk.length, destination.address()));
            byte[] foreign = new byte[40];
            foreign[0] = 0x44;
            foreign[1] = 0x52;
            foreign[2] = 1;
            app.send(new DatagramPacket(foreign, foreign.length, destination.address()));
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                Map<String, Long> c = destination.counters().get(5, TimeUnit.SECONDS);
                return c.getOrDefault("dropped.bad_header", 0L) + c.getOrDefault("dropped.unauthenticated", 0L) == 2;
            });
            app.send(new DatagramPacket(hello, hello.length, entrance));
            app.receive(back);
            assertThat(new String(buf, 0, back.getLength(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(destination.counters().get().get("delivered")).isEqualTo(2);
            assertThat(events).as("the direct path never went down").isEmpty();
        }
    }
}
