package dev.d2r2.app.cli;

import dev.d2r2.core.Clock;
import dev.d2r2.core.HostPort;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.node.KeyFiles;
import dev.d2r2.overlay.node.OverlayNode;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A command's own DHT node, joined to an overlay through the nodes given. */
final class DhtNodeOptions {
    @Option(names = "--dht", paramLabel = "HOST:PORT", required = true, description = "An overlay node to join through (repeatable)")
    List<String> dht;

    @Option(names = "--dht-listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0",
            description = "This command's own DHT node (UDP; ${DEFAULT-VALUE})")
    String dhtListen;

    @Option(names = "--network-key", paramLabel = "FILE", required = true, description = "The overlay's key (d2r2 overlay keygen)")
    Path networkKey;

    OverlayNode start() throws IOException {
        return OverlayNode.start(new OverlayNode.Settings(HostPort.parse(dhtListen), dht.stream().map(HostPort::parse).toList(),
                KeyFiles.readNetworkKey(networkKey), KadConfig.defaults(), Duration.ofSeconds(30)), Clock.system());
    }
}
