package dev.d2r2.sip.edge;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Datagrams the kernel dropped because a UDP socket's receive buffer was full, as
 * {@code /proc/self/net/udp} and {@code udp6} count them per socket (their last column): the
 * sum over every socket bound to one address and port (an IPv4 address also as a dual-stack
 * socket's mapped one), which is the edge's {@code SO_REUSEPORT} group. A loop that falls behind
 * loses datagrams there, before the edge can count them itself.
 */
final class UdpDrops {
    private static final List<Path> TABLES = List.of(Path.of("/proc/self/net/udp"), Path.of("/proc/self/net/udp6"));
    /** How udp6 writes the first 96 bits of an IPv4-mapped address (a dual-stack socket bound to an IPv4 address). */
    private static final String V4_MAPPED = "0000000000000000FFFF0000";

    private UdpDrops() {
    }

    /** Drops at the sockets bound to {@code local}, or -1 where {@code /proc} does not tell (not Linux). */
    static long at(InetSocketAddress local) {
        String key = procAddress(local);
        String mapped = local.getAddress() instanceof Inet4Address ? V4_MAPPED + key : key;
        long sum = 0;
        boolean read = false;
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException | RuntimeException e) {
                continue;
            }
            read = true;
            for (int i = 1; i < lines.size(); i++) {
                String[] fields = lines.get(i).strip().split("\\s+");
                if (fields.length > 2 && (fields[1].equalsIgnoreCase(key) || fields[1].equalsIgnoreCase(mapped))) {
                    sum += drops(fields[fields.length - 1]);
                }
            }
        }
        return read ? sum : -1;
    }

    /** A line's drops column; 0 for a line this kernel writes otherwise, so that a metrics scrape never fails on it. */
    private static long drops(String column) {
        try {
            return Long.parseLong(column);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * An address as those tables write it: the address's 32-bit words each in the host's byte
     * order (little-endian on the machines d2r2 runs on), in hex, then the port in hex.
     */
    static String procAddress(InetSocketAddress a) {
        byte[] b = a.getAddress().getAddress();
        byte[] swapped = new byte[b.length];
        for (int word = 0; word < b.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                swapped[word + i] = b[word + 3 - i];
            }
        }
        String port = String.format(Locale.ROOT, "%04X", a.getPort());
        return HexFormat.of().withUpperCase().formatHex(swapped) + ":" + port;
    }
}
