package dev.d2r2.tunnel.path;

import dev.d2r2.core.Clock;
import dev.d2r2.tunnel.node.TunnelMain;

import java.nio.file.Path;

/**
 * {@code MhMain CONFIG}: runs one multihomed endpoint until the process is stopped, printing its
 * events as JSON lines; the process the namespace test starts. {@code d2r2 tunnel mh} runs the
 * same endpoint with broker publishing and trust feeds on top.
 */
public final class MhMain {
    private MhMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: MhMain CONFIG");
            System.exit(2);
        }
        TunnelMain.serve(events -> {
            MhNode node = MhNode.start(Path.of(args[0]), Clock.system(), events);
            return new TunnelMain.Started(node, node.appAddress().getPort());
        });
    }
}
