package dev.d2r2.bridge.kafka;

import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.Clock;

import java.nio.file.Path;

/**
 * A bridge alone in a JVM, connected to the d2r2 broker over TLS with an identity file as
 * {@code d2r2 bridge kafka} is, so a test can kill it with SIGKILL mid-stream. Arguments:
 * direction (out or in), identity file, channel, topic, bootstrap servers, state directory.
 * Prints "ready" once running.
 */
public final class BridgeProcess {
    private BridgeProcess() {
    }

    public static void main(String[] args) throws Exception {
        KafkaBridge.Direction direction = KafkaBridge.Direction.valueOf(args[0].toUpperCase(java.util.Locale.ROOT));
        RemoteBrokerClient client = RemoteBrokerClient.connect(IdentityFile.load(Path.of(args[1])));
        // A killed member's partitions wait for its session to time out (45 s by default) before a new member gets them.
        KafkaBridgeConfig config = new KafkaBridgeConfig(args[2], args[3], args[4], Path.of(args[5]), null, true, null,
                java.util.Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000"));
        KafkaBridge bridge = KafkaBridge.start(direction, client, config, Clock.system());
        System.out.println("ready");
        System.out.flush();
        bridge.ended().join();
    }
}
