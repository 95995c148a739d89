package dev.d2r2.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A test topology of network namespaces: a switch (a namespace holding bridge {@code br0}) and
 * hosts {@code PREFIX-hN}, each on a veth port of the switch ({@code PREFIXNa} in the host,
 * {@code PREFIXNb} on the bridge) with the address {@code SUBNET.N/24}; optionally the test's own
 * namespace as one more host on the switch ({@code PREFIX-c}). Names carry the test's prefix so
 * that suites running side by side never meet.
 */
final class SwitchedHosts {
    private final String prefix;
    private final String subnet;
    private final int hosts;

    SwitchedHosts(String prefix, String subnet, int hosts) {
        this.prefix = prefix;
        this.subnet = subnet;
        this.hosts = hosts;
    }

    String host(int i) {
        return prefix + "-h" + i;
    }

    /** The host's end of its link. */
    String link(int i) {
        return prefix + i + "a";
    }

    /** The switch's end of the host's link. */
    String port(int i) {
        return prefix + i + "b";
    }

    String address(int i) {
        return subnet + i;
    }

    String switchName() {
        return prefix + "-sw";
    }

    String clientLink() {
        return prefix + "-c";
    }

    /** Builds the switch and the hosts, after removing what a crashed run may have left. */
    void create() throws IOException, InterruptedException {
        remove();
        String sw = switchName();
        must("ip", "netns", "add", sw);
        must("ip", "-n", sw, "link", "add", "br0", "type", "bridge");
        must("ip", "-n", sw, "link", "set", "br0", "up");
        for (int i = 1; i <= hosts; i++) {
            must("ip", "netns", "add", host(i));
            must("ip", "link", "add", link(i), "type", "veth", "peer", "name", port(i));
            must("ip", "link", "set", link(i), "netns", host(i));
            must("ip", "link", "set", port(i), "netns", sw);
            must("ip", "-n", sw, "link", "set", port(i), "master", "br0", "up");
            must("ip", "-n", host(i), "addr", "add", address(i) + "/24", "dev", link(i));
            must("ip", "-n", host(i), "link", "set", link(i), "up");
            must("ip", "-n", host(i), "link", "set", "lo", "up");
        }
    }

    /** Puts the test's own namespace on the switch with {@code address(i)}. */
    void addClient(int i) throws IOException, InterruptedException {
        String peer = clientLink() + "b";
        must("ip", "link", "add", clientLink(), "type", "veth", "peer", "name", peer);
        must("ip", "link", "set", peer, "netns", switchName());
        must("ip", "-n", switchName(), "link", "set", peer, "master", "br0", "up");
        must("ip", "addr", "add", address(i) + "/24", "dev", clientLink());
        must("ip", "link", "set", clientLink(), "up");
    }

    void remove() throws IOException, InterruptedException {
        sh("ip", "link", "del", clientLink());
        for (int i = 1; i <= hosts; i++) {
            sh("ip", "netns", "del", host(i));
        }
        sh("ip", "netns", "del", switchName());
    }

    /** Runs a command; true when it exits 0. */
    static boolean sh(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    /** Runs a command and returns what it printed, errors included. */
    static String out(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text;
    }

    static void must(String... command) throws IOException, InterruptedException {
        if (!sh(command)) {
            throw new IllegalStateException("failed: " + String.join(" ", command));
        }
    }
}
