package dev.d2r2.migrate.takeover;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The NAT front's rule, in its own nftables table: datagrams and segments to the public
 * address:port are rewritten to the holder's address:port, and the holder's answers from that
 * address:port are rewritten back to the public one. Stateless (payload rewriting, {@code notrack}),
 * not conntrack's {@code dnat}: a conntrack entry keeps its NAT binding for the flow's lifetime (a
 * UDP flow 30 to 120 s after its last packet), so a client that goes on sending from the same
 * port would keep reaching the dead master; here the next packet after a rewrite goes to the new
 * holder. Each rewrite is one {@code nft -f} transaction (the table deleted and created again):
 * the kernel applies all of it or none, so no packet sees a half-written rule set.
 */
public final class NftSteering {
    private static final long NFT_TIMEOUT_S = 10;
    private final List<String> nft;
    private final String table;
    private final InetSocketAddress publicAddress;

    /** @param nft the command that runs nft ({@code nft}; a test may run it in a namespace) */
    public NftSteering(List<String> nft, String table, InetSocketAddress publicAddress) {
        this.nft = List.copyOf(nft);
        this.table = table;
        this.publicAddress = publicAddress;
    }

    /** The rule set that steers the public address to {@code target}, as nft reads it. */
    String script(InetSocketAddress target, String comment) {
        String pub = publicAddress.getAddress().getHostAddress();
        int pubPort = publicAddress.getPort();
        String to = target.getAddress().getHostAddress();
        int toPort = target.getPort();
        StringBuilder in = new StringBuilder();
        StringBuilder out = new StringBuilder();
        for (String l4 : List.of("udp", "tcp")) {
            in.append("\t\tip daddr ").append(pub).append(' ').append(l4).append(" dport ").append(pubPort)
                    .append(" notrack ip daddr set ").append(to).append(' ').append(l4).append(" dport set ").append(toPort)
                    .append(" comment \"").append(comment).append("\"\n");
            in.append("\t\tip saddr ").append(to).append(' ').append(l4).append(" sport ").append(toPort).append(" notrack\n");
            out.append("\t\tip saddr ").append(to).append(' ').append(l4).append(" sport ").append(toPort)
                    .append(" ip saddr set ").append(pub).append(' ').append(l4).append(" sport set ").append(pubPort).append('\n');
        }
        return "table ip " + table + "\ndelete table ip " + table + "\ntable ip " + table + " {\n"
                + "\tchain in {\n\t\ttype filter hook prerouting priority raw; policy accept;\n" + in + "\t}\n"
                + "\tchain out {\n\t\ttype filter hook postrouting priority srcnat; policy accept;\n" + out + "\t}\n}\n";
    }

    /** Points the public address at {@code target}, atomically; {@code comment} is kept on the rule. */
    public void point(InetSocketAddress target, String comment) throws IOException {
        List<String> command = new ArrayList<>(nft);
        command.addAll(List.of("-f", "-"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream stdin = p.getOutputStream()) {
            // a comment can only break the script's line or its quotes: keep plain characters only
            stdin.write(script(target, comment.replaceAll("[^A-Za-z0-9 _.:@-]", "_")).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // nft exited before reading: its output says why
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(NFT_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("nft: no answer in " + NFT_TIMEOUT_S + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("nft: interrupted");
        }
        if (p.exitValue() != 0) {
            throw new IOException("nft exited " + p.exitValue() + ": " + output);
        }
    }

    public InetSocketAddress publicAddress() {
        return publicAddress;
    }
}
