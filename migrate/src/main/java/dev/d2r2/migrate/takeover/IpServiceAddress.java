package dev.d2r2.migrate.takeover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The service address on a Linux interface, through iproute2; announced by Debian's
 * {@code arping} (Thomas Habets' 2.x) with gratuitous ARP requests ({@code -U}), so neighbours
 * and switches rebind the address to this interface's MAC at once. Requests, not replies
 * ({@code -U -P}): Linux counts a reply as gratuitous only when its target MAC is its sender's,
 * which arping's is not, and lets a non-gratuitous one replace an entry's MAC only if the entry
 * has not changed for {@code locktime} (1 s), so a neighbour that had just resolved the address
 * kept the old host's MAC. arping runs in the background: the address is usable as soon as
 * {@code ip} returns.
 *
 * <p>On a takeover every millisecond counts: both commands are {@linkplain ArmedCommand armed}
 * when this object is made (so firing them costs an exec, not a spawn), and the announcement
 * goes first, while {@code ip} runs — it needs no address on the interface, and a neighbour that
 * rebinds before the address is up only loses a request or two that it retransmits.
 */
public final class IpServiceAddress implements ServiceAddress {
    private static final long IP_TIMEOUT_S = 10;
    private final String cidr;
    private final String iface;
    private final List<String> add;
    private final ArmedCommand adding;
    private final ArmedCommand announcing;

    public IpServiceAddress(String cidr, String iface) {
        this.cidr = cidr;
        this.iface = iface;
        String host = cidr.substring(0, cidr.indexOf('/'));
        this.add = List.of("ip", "addr", "replace", cidr, "dev", iface);
        this.adding = new ArmedCommand(add, ProcessBuilder.Redirect.PIPE);
        this.announcing = new ArmedCommand(List.of("arping", "-q", "-U", "-c", "2", "-w", "0", "-i", iface, "-S", host, host),
                ProcessBuilder.Redirect.DISCARD);
    }

    @Override
    public void acquire() throws IOException {
        IOException unannounced = null;
        try {
            try {
                announcing.fire();
            } catch (IOException e) {
                unannounced = e;
            }
            finish(adding.fire(), add, false);
        } finally {
            adding.arm();
            announcing.arm();
        }
        if (unannounced != null) {
            throw unannounced;
        }
    }

    @Override
    public void release() throws IOException {
        List<String> command = List.of("ip", "addr", "del", cidr, "dev", iface);
        finish(new ProcessBuilder(command).redirectErrorStream(true).start(), command, true);
    }

    private static void finish(Process p, List<String> command, boolean absentIsFine) throws IOException {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(IP_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer in " + IP_TIMEOUT_S + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted");
        }
        if (p.exitValue() != 0 && !(absentIsFine && (out.contains("Address not found") || out.contains("Cannot assign requested address")))) {
            throw new IOException(String.join(" ", command) + ": " + out);
        }
    }

    @Override
    public String address() {
        return cidr;
    }

    @Override
    public String iface() {
        return iface;
    }
}
