package dev.d2r2.p2psip.ua;

import dev.d2r2.p2psip.events.UaStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two unmodified SIP agents (SIPp as UAC and as UAS) call each other through Pr2-P2PSIP: each
 * talks only to its own SIP face; between the faces, every message goes caller's outbound tunnel
 * → callee's entry point → callee's inbound tunnel, over 16 loopback peers.
 */
class SipFaceSippTest {
    private static final Path SIPP = Path.of("/usr/bin/sipp");

    @TempDir
    Path dir;

    @Test
    void aSippCallInviteOkAckByeGoesThroughTheTunnels() throws Exception {
        assertThat(SIPP).as("SIPp (package sip-tester) must be installed").exists();
        try (UaNetwork network = new UaNetwork(16)) {
            UserAgent alice = network.agent("alice", UaNetwork.settings());
            UserAgent bob = network.agent("bob", UaNetwork.settings());
            int uasPort = freeUdpPort();
            InetAddress loopback = InetAddress.getLoopbackAddress();
            try (SipFace aliceFace = new SipFace(alice, new InetSocketAddress(loopback, 0), null, Map.of("bob", bob.identityKey()));
                 SipFace bobFace = new SipFace(bob, new InetSocketAddress(loopback, 0), new InetSocketAddress(loopback, uasPort), Map.of())) {
                Process uas = sipp("uas", "-sn", "uas", "-i", "127.0.0.1", "-p", Integer.toString(uasPort), "-m", "3");
                try {
                    Process uac = sipp("uac", "-sn", "uac", "127.0.0.1:" + aliceFace.address().getPort(), "-s", "bob", "-i", "127.0.0.1",
                            "-p", Integer.toString(freeUdpPort()), "-m", "3", "-r", "1", "-d", "200", "-timeout", "60s", "-timeout_error");
                    assertThat(uac.waitFor(90, TimeUnit.SECONDS)).isTrue();
                    assertThat(uac.exitValue()).as(Files.readString(dir.resolve("uac.out"))).isZero();
                    assertThat(uas.waitFor(20, TimeUnit.SECONDS)).isTrue();
                    assertThat(uas.exitValue()).isZero();
                } finally {
                    uas.destroy();
                }
                // per call, INVITE, ACK and BYE leave Alice's face; 180, 200 and the BYE's 200 leave Bob's
                assertThat(aliceFace.fromLocal()).isEqualTo(3 * 3);
                assertThat(bobFace.fromRemote()).isEqualTo(3 * 3);
                assertThat(bobFace.fromLocal()).isEqualTo(3 * 3);
                assertThat(aliceFace.fromRemote()).isEqualTo(3 * 3);
                assertThat(aliceFace.refused() + bobFace.refused()).isZero();
                UaStatus status = aliceFace.status(1);
                assertThat(status.lookups()).isEqualTo(1);
                assertThat(status.signalsSent()).isEqualTo(9);
                assertThat(status.signalsReceived()).isEqualTo(9);
            }
        }
    }

    private Process sipp(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(SIPP.toString()));
        cmd.addAll(List.of(args));
        cmd.add("-nostdin");
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile()).start();
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
