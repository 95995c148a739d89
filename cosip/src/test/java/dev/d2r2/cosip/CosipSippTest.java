package dev.d2r2.cosip;

import dev.d2r2.core.Event;
import dev.d2r2.core.testing.Peers;
import dev.d2r2.cosip.events.ModeChange;
import dev.d2r2.cosip.events.ModeChange.Mode;
import dev.d2r2.cosip.events.ProviderState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIPp user agents behind two CoSIP proxies, Kamailio as the provider: calls go through Kamailio;
 * while it is killed they go through the DHT (and a call set up before its death ends cleanly);
 * once it is back, through Kamailio again.
 */
class CosipSippTest {
    private static final Path KAMAILIO = Path.of("/usr/sbin/kamailio");
    private static final Path SIPP = Rig.SIPP;

    @TempDir
    Path dir;

    private Process kamailio(int port, int run) throws Exception {
        return Rig.start(dir, "kamailio-" + run, List.of(KAMAILIO.toString(), "-f", Rig.resource(dir, "/kamailio/registrar.cfg").toString(),
                "-l", "udp:127.0.0.1:" + port, "-DD", "-E", "-w", dir.toString(), "-m", "64", "-M", "8"));
    }

    private Process uac(String name, CosipProxy via, int calls, int pauseMs) throws Exception {
        return Rig.sippUac(dir, name, via, calls, pauseMs);
    }

    private void succeeds(Process uac, String name) throws Exception {
        Rig.succeeds(dir, uac, name);
    }

    /** Bob's user agent (the SIPp uas on {@code uasPort}) registers through his proxy. */
    private static void registerBob(CosipProxy bob, int uasPort) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            String register = "REGISTER sip:example.org SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKreg1\r\n"
                .formatted(s.getLocalPort())
                + "From: <sip:bob@example.org>;tag=r1\r\nTo: <sip:bob@example.org>\r\nCall-ID: reg-bob@test\r\nCSeq: 1 REGISTER\r\n"
                + "Contact: <sip:bob@127.0.0.1:%d>\r\nExpires: 600\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n".formatted(uasPort);
            s.setSoTimeout(5000);
            byte[] bytes = register.getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(bytes, bytes.length, bob.address()));
            byte[] buf = new byte[4096];
            DatagramPacket answer = new DatagramPacket(buf, buf.length);
            s.receive(answer);
            assertThat(new String(buf, 0, answer.getLength(), StandardCharsets.US_ASCII)).startsWith("SIP/2.0 200");
        }
    }

    @Test
    void callsGoThroughTheProviderThroughTheDhtWhileItIsDeadAndThroughItAgainWhenItIsBack() throws Exception {
        Peers.require(SIPP, "sip-tester");
        Peers.require(KAMAILIO, "kamailio");
        int port = Rig.freeUdpPort();
        int uasPort = Rig.freeUdpPort();
        Process provider = kamailio(port, 1);
        Process uas = Rig.start(dir, "uas", List.of(SIPP.toString(), "-sn", "uas", "-i", "127.0.0.1", "-p", Integer.toString(uasPort), "-nostdin"));
        try (Rig rig = new Rig(new InetSocketAddress("127.0.0.1", port), 600, 20)) {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> registerBob(rig.bob, uasPort));
            await().atMost(Duration.ofSeconds(10)).until(() -> Rig.status(rig.bob).counter("dht.put.stored") >= 1);

            succeeds(uac("uac-1", rig.alice, 3, 100), "uac-1");
            assertThat(Rig.status(rig.alice).counter("calls.answered.via-server")).as(Rig.status(rig.alice) + " / " + Rig.status(rig.bob)).isEqualTo(3);
            assertThat(Rig.status(rig.bob).counter("calls.in.via-server")).isEqualTo(3);

            Process longCall = uac("uac-long", rig.alice, 1, 4000);
            await().atMost(Duration.ofSeconds(10)).until(() -> Rig.status(rig.alice).counter("calls.answered.via-server") == 4);
            Rig.stop(provider);
            Rig.awaitMode(rig.alice, Mode.P2P);
            Rig.awaitMode(rig.bob, Mode.P2P);
            succeeds(uac("uac-2", rig.alice, 3, 100), "uac-2");
            succeeds(longCall, "uac-long");
            assertThat(Rig.status(rig.alice).counter("calls.answered.via-dht")).isEqualTo(3);
            assertThat(Rig.status(rig.bob).counter("calls.in.via-dht")).isEqualTo(3);

            provider = kamailio(port, 2);
            Rig.awaitMode(rig.alice, Mode.SERVER);
            Rig.awaitMode(rig.bob, Mode.SERVER);
            await().atMost(Duration.ofSeconds(10)).until(() -> Rig.status(rig.bob).counter("reregistered") >= 1);
            succeeds(uac("uac-3", rig.alice, 3, 100), "uac-3");
            assertThat(Rig.status(rig.alice).counter("calls.answered.via-server")).isEqualTo(7);
            assertThat(Rig.status(rig.bob).counter("calls.in.via-server")).isEqualTo(7);

            List<String> changes = rig.aliceEvents.stream().map(CosipSippTest::describe).toList();
            assertThat(changes).containsExactly("provider down", "mode p2p", "provider up", "mode server");
        } finally {
            Rig.stop(provider);
            Rig.stop(uas);
        }
    }

    private static String describe(Event e) {
        try {
            return e.type().equals("cosip.provider") ? "provider " + (ProviderState.from(e).up() ? "up" : "down")
                    : "mode " + ModeChange.from(e).to().label();
        } catch (Exception x) {
            throw new AssertionError(x);
        }
    }
}
