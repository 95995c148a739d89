package dev.d2r2.bridge.kafka;

import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.Clock;

import java.nio.file.Path;

/**
 * The {@code out} bridge alone in a JVM, connected to the d2r2 broker over TLS with an identity
 * file as {@code d2r2 bridge kafka} is, so a test can kill it with SIGKILL mid-stream. Arguments:
 * identity file, channel, topic, bootstrap servers, state directory. Prints "ready" once subscribed.
 */
public final class OutBridgeProcess {
    private OutBridgeProcess() {
    }

    public static void main(String[] args) throws Exception {
        RemoteBrokerClient client = RemoteBrokerClient.connect(IdentityFile.load(Path.of(args[0])));
        KafkaBridgeConfig config = KafkaBridgeConfig.of(args[1], args[2], args[3], Path.of(args[4])).startingEarliest();
        KafkaOutBridge bridge = new KafkaOutBridge(client, config, Clock.system());
        System.out.println("ready");
        System.out.flush();
        bridge.ended().join();
    }
}
