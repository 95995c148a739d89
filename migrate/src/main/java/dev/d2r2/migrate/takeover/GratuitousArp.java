package dev.d2r2.migrate.takeover;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Gratuitous ARP requests for an address, sent on a packet socket (libc through the FFM API)
 * opened ahead of need: a takeover costs one {@code sendto} per request. arping, which this
 * replaces on the takeover path, spends 60–100 ms opening libpcap and libnet before its first
 * packet on a loaded host, and the neighbours keep sending to the old MAC meanwhile. The frame is
 * what {@code arping -U} sends: a broadcast ARP request whose sender and target IP are the address.
 */
final class GratuitousArp implements AutoCloseable {
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final short ETH_P_ARP = 0x0806;
    private static final int FRAME = 60;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDTO = bind("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = arena.allocate(CAPTURE);
    private final MemorySegment frame = arena.allocate(FRAME);
    private final MemorySegment to = arena.allocate(20);
    private final String what;
    private final int fd;

    /** Opens the socket on {@code iface} (CAP_NET_RAW needed) and builds the frame for {@code ip}. */
    GratuitousArp(String iface, String ip) throws IOException {
        this.what = "gratuitous ARP for " + ip + " on " + iface;
        try {
            NetworkInterface nic = NetworkInterface.getByName(iface);
            byte[] mac = nic == null ? null : nic.getHardwareAddress();
            if (mac == null || mac.length != 6) {
                throw new IOException(what + ": no Ethernet interface " + iface);
            }
            if (!(InetAddress.getByName(ip) instanceof Inet4Address v4)) {
                throw new IOException(what + ": not an IPv4 address");
            }
            byte[] address = v4.getAddress();
            ByteBuffer f = ByteBuffer.allocate(FRAME).order(ByteOrder.BIG_ENDIAN);
            f.put(new byte[]{-1, -1, -1, -1, -1, -1}).put(mac).putShort(ETH_P_ARP);
            f.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
            f.put(mac).put(address).put(new byte[6]).put(address);
            MemorySegment.copy(MemorySegment.ofArray(f.array()), 0, frame, 0, FRAME);
            // struct sockaddr_ll: family, protocol (network order), ifindex, hatype, pkttype, halen, addr[8]
            ByteBuffer ll = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
            ll.putShort((short) AF_PACKET).order(ByteOrder.BIG_ENDIAN).putShort(ETH_P_ARP).order(ByteOrder.nativeOrder())
                    .putInt(nic.getIndex()).putShort((short) 1).put((byte) 0).put((byte) 6).put(new byte[]{-1, -1, -1, -1, -1, -1, 0, 0});
            MemorySegment.copy(MemorySegment.ofArray(ll.array()), 0, to, 0, 20);
            // protocol 0: a socket that only sends (it would otherwise queue every ARP packet of the host)
            fd = (int) SOCKET.invokeExact(errno, AF_PACKET, SOCK_RAW, 0);
        } catch (IOException e) {
            arena.close();
            throw e;
        } catch (Throwable e) {
            arena.close();
            throw new IOException(what + ": " + e, e);
        }
        if (fd < 0) {
            int code = (int) ERRNO_HANDLE.get(errno, 0L);
            arena.close();
            throw new IOException(what + ": no packet socket (errno " + code + ")");
        }
    }

    /** Sends {@code count} requests back to back. */
    void announce(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            long sent;
            try {
                sent = (long) SENDTO.invokeExact(errno, fd, frame, (long) FRAME, 0, to, 20);
            } catch (Throwable e) {
                throw new IOException(what + ": " + e, e);
            }
            if (sent != FRAME) {
                throw new IOException(what + ": sendto failed (errno " + (int) ERRNO_HANDLE.get(errno, 0L) + ")");
            }
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(errno, fd);
        } catch (Throwable e) {
            // nothing more to do with the socket
        }
        arena.close();
    }

    private static MethodHandle bind(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, ERRNO);
    }
}
