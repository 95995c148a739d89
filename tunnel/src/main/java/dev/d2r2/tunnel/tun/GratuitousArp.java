package dev.d2r2.tunnel.tun;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Sends gratuitous ARP requests (sender and target both the announced address, to the broadcast
 * address) on one interface through an {@code AF_PACKET} socket opened with the FFM API. A DN
 * taking over an EN's address sends one, so that neighbours whose caches point at the failed DN
 * switch at once — from the role's own thread, without starting a process. The interface's
 * index and MAC address come from {@code SIOCGIFINDEX} and {@code SIOCGIFHWADDR}, in the network
 * namespace of the thread that opens it.
 */
public final class GratuitousArp implements AutoCloseable {
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int ETH_P_ARP = 0x0806;
    private static final long SIOCGIFHWADDR = 0x8927;
    private static final long SIOCGIFINDEX = 0x8933;
    private static final int FRAME_BYTES = 42;
    private static final int SOCKADDR_LL_BYTES = 20;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Libc.errnoSegment(arena);
    private final MemorySegment frame = arena.allocate(FRAME_BYTES);
    private final MemorySegment to = arena.allocate(SOCKADDR_LL_BYTES);
    private final int fd;
    private final String device;

    private GratuitousArp(String device, int fd, int ifindex, byte[] mac) {
        this.device = device;
        this.fd = fd;
        for (int i = 0; i < 6; i++) {
            frame.set(JAVA_BYTE, i, (byte) 0xff);
            frame.set(JAVA_BYTE, 6 + i, mac[i]);
            frame.set(JAVA_BYTE, 22 + i, mac[i]);
        }
        bigEndianShort(frame, 12, ETH_P_ARP);
        bigEndianShort(frame, 14, 1);
        bigEndianShort(frame, 16, 0x0800);
        frame.set(JAVA_BYTE, 18, (byte) 6);
        frame.set(JAVA_BYTE, 19, (byte) 4);
        bigEndianShort(frame, 20, 1);
        to.set(JAVA_SHORT, 0, (short) AF_PACKET);
        bigEndianShort(to, 2, ETH_P_ARP);
        to.set(JAVA_INT, 4, ifindex);
        to.set(JAVA_BYTE, 11, (byte) 6);
        for (int i = 0; i < 6; i++) {
            to.set(JAVA_BYTE, 12 + i, (byte) 0xff);
        }
    }

    /** Opens the socket for {@code device} (an Ethernet interface) in the calling thread's namespace. */
    public static GratuitousArp open(String device) throws IOException {
        byte[] name = device.getBytes(StandardCharsets.US_ASCII);
        if (name.length == 0 || name.length > 15) {
            throw new IllegalArgumentException("an interface name has 1 to 15 characters: " + device);
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSegment(call);
            int fd = (int) Libc.SOCKET.invokeExact(err, AF_PACKET, SOCK_RAW, Short.toUnsignedInt(Short.reverseBytes((short) ETH_P_ARP)));
            if (fd < 0) {
                throw new IOException("AF_PACKET socket: errno " + Libc.errno(err));
            }
            MemorySegment ifreq = call.allocate(40);
            MemorySegment.copy(name, 0, ifreq, JAVA_BYTE, 0, name.length);
            int rc = (int) Libc.IOCTL.invokeExact(err, fd, SIOCGIFINDEX, ifreq);
            int ifindex = ifreq.get(JAVA_INT, 16);
            int rc2 = rc < 0 ? rc : (int) Libc.IOCTL.invokeExact(err, fd, SIOCGIFHWADDR, ifreq);
            if (rc < 0 || rc2 < 0) {
                int e = Libc.errno(err);
                int ignored = (int) Libc.CLOSE.invokeExact(err, fd);
                throw new IOException("no interface " + device + " here: errno " + e + (ignored < 0 ? " (and close failed)" : ""));
            }
            byte[] mac = new byte[6];
            MemorySegment.copy(ifreq, JAVA_BYTE, 18, mac, 0, 6);
            return new GratuitousArp(device, fd, ifindex, mac);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("gratuitous ARP on " + device + ": " + t, t);
        }
    }

    /** Announces {@code address} (IPv4 as an integer) as this interface's; one thread at a time. */
    public synchronized void announce(int address) throws IOException {
        bigEndianInt(frame, 28, address);
        bigEndianInt(frame, 38, address);
        try {
            long n = (long) Libc.SENDTO.invokeExact(errno, fd, frame, (long) FRAME_BYTES, 0, to, SOCKADDR_LL_BYTES);
            if (n != FRAME_BYTES) {
                throw new IOException("gratuitous ARP on " + device + ": errno " + Libc.errno(errno));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("gratuitous ARP on " + device + ": " + t, t);
        }
    }

    private static void bigEndianShort(MemorySegment s, long offset, int v) {
        s.set(JAVA_BYTE, offset, (byte) (v >>> 8));
        s.set(JAVA_BYTE, offset + 1, (byte) v);
    }

    private static void bigEndianInt(MemorySegment s, long offset, int v) {
        bigEndianShort(s, offset, v >>> 16);
        bigEndianShort(s, offset + 2, v);
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            int ignored = (int) Libc.CLOSE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw new IOException("close: " + t, t);
        } finally {
            arena.close();
        }
    }
}
