package dev.d2r2.migrate.takeover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The service address on a Linux interface, through iproute2; announced with gratuitous ARP
 * requests (what Debian's {@code arping -U}, Thomas Habets' 2.x, sends), so neighbours and
 * switches rebind the address to this interface's MAC at once. Requests, not replies
 * ({@code -U -P}): Linux counts a reply as gratuitous only when its target MAC is its sender's,
 * which arping's is not, and lets a non-gratuitous one replace an entry's MAC only if the entry
 * has not changed for {@code locktime} (1 s), so a neighbour that had just resolved the address
 * kept the old host's MAC. arping, when used, runs in the background.
 *
 * <p>On a takeover every millisecond counts: the announcement goes first, while {@code ip} runs —
 * it needs no address on the interface, and a neighbour that rebinds before the address is up
 * only loses a request or two that it retransmits; it is sent on a packet socket opened when
 * this object is made ({@link GratuitousArp}: arping takes 60–100 ms to send its first packet on
 * a loaded host), by arping when that socket cannot be opened or fails; and {@code ip} is
 * {@linkplain ArmedCommand armed} (firing it costs an exec, not a spawn).
 */
public final class IpServiceAddress implements ServiceAddress {
    private static final long IP_TIMEOUT_S = 10;
    private final String cidr;
    private final String iface;
    private final List<String> add;
    private final ArmedCommand adding;
    private final GratuitousArp arp;
    private final List<String> arping;

    public IpServiceAddress(String cidr, String iface) {
        this.cidr = cidr;
        this.iface = iface;
        String host = cidr.substring(0, cidr.indexOf('/'));
        this.add = List.of("ip", "addr", "replace", cidr, "dev", iface);
        this.adding = new ArmedCommand(add, ProcessBuilder.Redirect.PIPE);
        this.arping = List.of("arping", "-q", "-U", "-c", "2", "-w", "0", "-i", iface, "-S", host, host);
        this.arp = packetSocket(iface, host);
    }

    private static GratuitousArp packetSocket(String iface, String host) {
        try {
            return new GratuitousArp(iface, host);
        } catch (IOException e) {
            System.err.println("takeover: " + e.getMessage() + "; arping will announce the address");
            return null;
        }
    }

    @Override
    public void acquire() throws IOException {
        IOException unannounced = null;
        try {
            announce();
        } catch (IOException e) {
            unannounced = e;
        }
        try {
            finish(adding.fire(), add, false);
        } finally {
            adding.arm();
        }
        if (unannounced != null) {
            throw unannounced;
        }
    }

    private void announce() throws IOException {
        if (arp != null) {
            try {
                arp.announce(2);
                return;
            } catch (IOException e) {
                System.err.println("takeover: " + e.getMessage() + "; arping announces the address");
            }
        }
        new ProcessBuilder(arping).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
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
