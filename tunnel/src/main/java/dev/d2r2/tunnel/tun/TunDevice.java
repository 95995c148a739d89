package dev.d2r2.tunnel.tun;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A Linux TUN device (IP packets, no packet-information header) opened through the FFM API:
 * {@code open("/dev/net/tun")}, {@code ioctl(TUNSETIFF)} with {@code IFF_TUN | IFF_NO_PI}, then
 * non-blocking {@code read} and {@code write} of whole packets into caller-owned native memory.
 * The device exists while it is open (it is not made persistent) and lives in the network
 * namespace of the thread that opens it.
 *
 * <p>One thread reads and one thread writes: each direction has its own errno segment. Neither
 * allocates per packet.
 */
public final class TunDevice implements AutoCloseable {
    static final long TUNSETIFF = 0x400454caL;
    static final short IFF_TUN = 0x0001;
    static final short IFF_NO_PI = 0x1000;
    private static final int IFNAMSIZ = 16;
    private static final int IFREQ_BYTES = 40;

    private final String name;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment readErrno = Libc.errnoSegment(arena);
    private final MemorySegment writeErrno = Libc.errnoSegment(arena);
    private final MemorySegment pollFd = arena.allocate(Libc.POLLFD);
    private volatile boolean closed;

    private TunDevice(String name, int fd) {
        this.name = name;
        this.fd = fd;
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, 4, Libc.POLLIN);
    }

    /** Creates TUN device {@code name} (at most 15 bytes) in the calling thread's network namespace. */
    public static TunDevice open(String name) throws IOException {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("an interface name has 1 to " + (IFNAMSIZ - 1) + " characters: " + name);
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoSegment(call);
            int fd = (int) Libc.OPEN.invokeExact(errno, call.allocateFrom("/dev/net/tun"), Libc.O_RDWR | Libc.O_NONBLOCK, 0);
            if (fd < 0) {
                throw new IOException("open /dev/net/tun: errno " + Libc.errno(errno));
            }
            MemorySegment ifreq = call.allocate(IFREQ_BYTES);
            MemorySegment.copy(bytes, 0, ifreq, JAVA_BYTE, 0, bytes.length);
            ifreq.set(JAVA_SHORT, IFNAMSIZ, (short) (IFF_TUN | IFF_NO_PI));
            int rc = (int) Libc.IOCTL.invokeExact(errno, fd, TUNSETIFF, ifreq);
            if (rc < 0) {
                int err = Libc.errno(errno);
                int ignored = (int) Libc.CLOSE.invokeExact(errno, fd);
                throw new IOException("ioctl TUNSETIFF " + name + ": errno " + err + (ignored < 0 ? " (and close failed)" : ""));
            }
            return new TunDevice(name, fd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("TUN " + name + ": " + t, t);
        }
    }

    /**
     * Reads one packet of at most {@code maxLength} bytes into {@code buf} at {@code offset} (a
     * longer one is cut), waiting at most {@code waitMillis} for one; returns its length, or 0
     * when none came.
     */
    public int read(MemorySegment buf, long offset, int maxLength, int waitMillis) throws IOException {
        if (offset + maxLength > buf.byteSize()) {
            throw new IndexOutOfBoundsException(maxLength + " bytes at " + offset + " in " + buf.byteSize());
        }
        try {
            while (true) {
                long n = (long) Libc.READ.invokeExact(readErrno, fd, buf.address() + offset, (long) maxLength);
                if (n >= 0) {
                    return (int) n;
                }
                int err = Libc.errno(readErrno);
                if (err == Libc.EINTR) {
                    continue;
                }
                if (err != Libc.EAGAIN) {
                    throw new IOException("read " + name + ": errno " + err);
                }
                int ready = (int) Libc.POLL.invokeExact(readErrno, pollFd, 1L, waitMillis);
                if (ready <= 0 || closed) {
                    return 0;
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("read " + name + ": " + t, t);
        }
    }

    /** Writes one packet of {@code length} bytes from {@code buf} at {@code offset}; false if the kernel refused it. */
    public boolean write(MemorySegment buf, long offset, int length) throws IOException {
        if (offset + length > buf.byteSize()) {
            throw new IndexOutOfBoundsException("packet of " + length + " at " + offset + " in " + buf.byteSize());
        }
        try {
            long n = (long) Libc.WRITE.invokeExact(writeErrno, fd, buf.address() + offset, (long) length);
            return n == length;
        } catch (Throwable t) {
            throw new IOException("write " + name + ": " + t, t);
        }
    }

    public String name() {
        return name;
    }

    /** Closes the device (it disappears); call once its reader and writer have stopped. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int rc = (int) Libc.CLOSE.invokeExact(readErrno, fd);
            if (rc < 0) {
                throw new IOException("close " + name + ": errno " + Libc.errno(readErrno));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("close " + name + ": " + t, t);
        } finally {
            arena.close();
        }
    }
}
