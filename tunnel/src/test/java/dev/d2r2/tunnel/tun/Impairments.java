package dev.d2r2.tunnel.tun;

import java.io.IOException;

/**
 * Impairments of one link of a test topology (issue 20 item 6), since netem is not available here:
 * random loss and one-way black holes by nftables in the namespace's own table, and a rate limit
 * by a tc token bucket (tbf) on the link's egress. {@link #clear()} lifts them all; the namespace's
 * removal does too.
 */
public final class Impairments {
    private static final String TABLE = "d2r2impair";
    private final Netns ns;
    private final String link;

    public Impairments(Netns ns, String link) {
        this.ns = ns;
        this.link = link;
    }

    /** Drops {@code percent} % of the packets, at random, in each direction of the link. */
    public void loss(int percent) throws IOException, InterruptedException {
        if (percent < 1 || percent > 99) {
            throw new IllegalArgumentException("loss is 1 to 99 %, not " + percent);
        }
        String drop = "numgen random mod 100 < " + percent + " drop";
        rule("out", "oifname " + link + " " + drop);
        rule("in", "iifname " + link + " " + drop);
    }

    /** Drops every packet that arrives on the link, and nothing it sends: a black hole in one direction. */
    public void blackHoleIn() throws IOException, InterruptedException {
        rule("in", "iifname " + link + " drop");
    }

    /**
     * Drops the tunnel's data frames (GRE protocol type IPv4 or IPv6, the 16 bits after the GRE flags)
     * that arrive on the link for UDP {@code port}, and lets its control frames (hellos, BFD: 0x88B5)
     * through: a node alive on the control path that loses the data.
     */
    public void dropTunnelData(int port) throws IOException, InterruptedException {
        for (String protocol : new String[]{"0x0800", "0x86dd"}) {
            rule("in", "iifname " + link + " udp dport " + port + " @th,80,16 " + protocol + " drop");
        }
    }

    /** Shapes what leaves by the link to {@code kbit} kbit/s, queueing at most {@code latencyMs} before dropping. */
    public void rate(int kbit, int latencyMs) throws IOException, InterruptedException {
        ns.output("tc", "qdisc", "replace", "dev", link, "root", "tbf", "rate", kbit + "kbit", "burst", "3000", "latency",
                latencyMs + "ms");
    }

    /** Lifts every impairment of the namespace (its table) and the link's shaping. */
    public void clear() throws IOException, InterruptedException {
        ns.output("sh", "-c", "nft delete table inet " + TABLE + " 2>/dev/null; tc qdisc del dev " + link + " root 2>/dev/null; true");
    }

    private void rule(String chain, String rule) throws IOException, InterruptedException {
        String hook = chain.equals("out") ? "output" : "input";
        ns.output("nft", "add table inet " + TABLE + "; add chain inet " + TABLE + " " + chain + " { type filter hook " + hook
                + " priority 0; }; add rule inet " + TABLE + " " + chain + " " + rule);
    }
}
