package dev.d2r2.cosip;

import dev.d2r2.core.testing.Peers;
import dev.d2r2.cosip.events.ModeChange.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kamailio and bare user agents that never retransmit: a call ringing through Kamailio when it
 * dies is moved to the DHT by the proxies themselves; a call Kamailio cannot place (404: the
 * callee is not registered with it, as after a restart before the callee's proxy registers
 * again) goes through the DHT instead of failing.
 */
class ProviderDeathTest {
    private static final Path KAMAILIO = Path.of("/usr/sbin/kamailio");

    @TempDir
    Path dir;

    private Process kamailio(int port, int run) throws Exception {
        return Rig.start(dir, "kamailio-" + run, List.of(KAMAILIO.toString(), "-f", Rig.resource(dir, "/kamailio/registrar.cfg").toString(),
                "-l", "udp:127.0.0.1:" + port, "-DD", "-E", "-w", dir.toString(), "-m", "64", "-M", "8"));
    }

    private static String register(RawUa ua) {
        return "REGISTER sip:example.org SIP/2.0\r\nVia: SIP/2.0/UDP " + ua.hostPort() + ";branch=z9hG4bKr\r\n"
                + "From: <sip:bob@example.org>;tag=r\r\nTo: <sip:bob@example.org>\r\nCall-ID: reg@x\r\nCSeq: 1 REGISTER\r\n"
                + "Contact: <sip:bob@" + ua.hostPort() + ">\r\nContent-Length: 0\r\n\r\n";
    }

    @Test
    void aRingingCallMovesToTheDhtWhenTheProviderDies() throws Exception {
        Peers.require(KAMAILIO, "kamailio");
        int port = Rig.freeUdpPort();
        Process provider = kamailio(port, 1);
        try (Rig rig = new Rig(new InetSocketAddress("127.0.0.1", port), 600, 20); RawUa aliceUa = new RawUa(); RawUa bobUa = new RawUa()) {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                bobUa.send(register(bobUa), rig.bob.address());
                assertThat(RawUa.status(bobUa.receive())).isEqualTo("200");
            });
            assertThat(Rig.status(rig.bob).mode()).isEqualTo(Mode.SERVER);

            aliceUa.send(aliceUa.invite("bob", "ringing", ""), rig.alice.address());
            assertThat(bobUa.receive()).startsWith("INVITE ").contains("Call-ID: ringing").contains("Via: SIP/2.0/UDP 127.0.0.1:" + port);
            Rig.stop(provider);
            Rig.awaitMode(rig.alice, Mode.P2P);
            String again = bobUa.receive();
            assertThat(again).startsWith("INVITE ").contains("Call-ID: ringing").doesNotContain("127.0.0.1:" + port);
            assertThat(Rig.status(rig.alice).counter("calls.rerouted")).isEqualTo(1);
            assertThat(Rig.status(rig.bob).counter("calls.in.taken-over")).isEqualTo(1);
        } finally {
            Rig.stop(provider);
        }
    }

    @Test
    void aCalleeTheProviderDoesNotKnowIsReachedThroughTheDht() throws Exception {
        Peers.require(KAMAILIO, "kamailio");
        int port = Rig.freeUdpPort();
        Process provider = kamailio(port, 1);
        try (java.net.DatagramSocket silent = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             Rig rig = new Rig(new InetSocketAddress("127.0.0.1", port), (InetSocketAddress) silent.getLocalSocketAddress(), 600, 20);
             RawUa aliceUa = new RawUa(); RawUa bobUa = new RawUa()) {
            Rig.awaitMode(rig.bob, Mode.P2P);
            bobUa.send(register(bobUa), rig.bob.address());
            assertThat(RawUa.status(bobUa.receive())).isEqualTo("200");
            await().atMost(Duration.ofSeconds(10)).until(() -> Rig.status(rig.bob).counter("dht.put.stored") >= 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> Rig.status(rig.alice).providerUp());

            aliceUa.send(aliceUa.invite("bob", "unknown-at-provider", ""), rig.alice.address());
            String invite = bobUa.receive();
            assertThat(invite).startsWith("INVITE ").contains("Call-ID: unknown-at-provider").doesNotContain("127.0.0.1:" + port);
            assertThat(Rig.status(rig.alice).counter("calls.fallback-to-dht")).isEqualTo(1);
            assertThat(Rig.status(rig.bob).counter("calls.in.via-dht")).isEqualTo(1);
        } finally {
            Rig.stop(provider);
        }
    }
}
