package dev.d2r2.migrate.dns;

import dev.d2r2.migrate.dns.DnsMessage.Question;
import dev.d2r2.migrate.dns.DnsMessage.Rr;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * An RFC 2136 DNS UPDATE client that replaces a name's A records: in one signed message it
 * deletes the name's A RRset and adds the new address, so the name never has zero or two
 * addresses at the server. Sent over UDP, again over TCP if the answer is truncated. The request
 * is signed with TSIG (HMAC-SHA256); the answer must carry a TSIG that verifies against the
 * request, and its RCODE must be NOERROR.
 */
public final class DnsUpdater {
    private static final int MAX_UDP = 65_535;
    private static final String[] RCODES = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
            "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};

    private final InetSocketAddress server;
    private final String zone;
    private final TsigKey key;
    private final Duration timeout;
    private final LongSupplier epochSeconds;
    private final SecureRandom random = new SecureRandom();

    public DnsUpdater(InetSocketAddress server, String zone, TsigKey key, Duration timeout) {
        this(server, zone, key, timeout, () -> System.currentTimeMillis() / 1000);
    }

    DnsUpdater(InetSocketAddress server, String zone, TsigKey key, Duration timeout, LongSupplier epochSeconds) {
        this.server = server;
        this.zone = DnsNames.normalise(zone);
        this.key = key;
        this.timeout = timeout;
        this.epochSeconds = epochSeconds;
    }

    /**
     * Loads and runs once what an update needs (HMAC provider, codec, random), so the first
     * update after a takeover does not pay for class loading: a cold JVM took a few hundred ms.
     */
    public void warmUp() {
        DnsMessage m = new DnsMessage(random.nextInt(0x10000), DnsMessage.OPCODE_UPDATE << 11,
                List.of(new Question(zone, DnsMessage.TYPE_SOA, DnsMessage.CLASS_IN)), List.of(), List.of(), List.of());
        byte[] unsigned = DnsCodec.encode(m);
        Rr tsig = Tsig.sign(unsigned, key, epochSeconds.getAsLong());
        byte[] signed = DnsCodec.encode(new DnsMessage(m.id(), m.flags(), m.questions(), List.of(), List.of(), List.of(tsig)));
        try {
            Tsig.Fields.parse(DnsCodec.decode(signed).message().additionals().getFirst().rdata());
        } catch (BadDnsMessage e) {
            throw new IllegalStateException("our own update does not parse", e);
        }
    }

    /** Whether {@code name} is in the zone this updater changes. */
    public boolean covers(String name) {
        return DnsNames.inZone(DnsNames.normalise(name), zone);
    }

    /** Makes {@code address} the only A record of {@code name} (inside the zone), with {@code ttl} seconds. */
    public void replaceA(String name, Inet4Address address, long ttl) throws DnsUpdateException {
        String n = DnsNames.normalise(name);
        if (!DnsNames.inZone(n, zone)) {
            throw new DnsUpdateException(n + " is not in zone " + zone);
        }
        int id = random.nextInt(0x10000);
        DnsMessage update = new DnsMessage(id, DnsMessage.OPCODE_UPDATE << 11,
                List.of(new Question(zone, DnsMessage.TYPE_SOA, DnsMessage.CLASS_IN)), List.of(),
                List.of(new Rr(n, DnsMessage.TYPE_A, DnsMessage.CLASS_ANY, 0, new byte[0]),
                        new Rr(n, DnsMessage.TYPE_A, DnsMessage.CLASS_IN, ttl, address.getAddress())),
                List.of());
        byte[] unsigned = DnsCodec.encode(update);
        Rr tsig = Tsig.sign(unsigned, key, epochSeconds.getAsLong());
        byte[] requestMac;
        try {
            requestMac = Tsig.Fields.parse(tsig.rdata()).mac();
        } catch (BadDnsMessage e) {
            throw new IllegalStateException("our own TSIG does not parse", e);
        }
        byte[] request = DnsCodec.encode(new DnsMessage(id, update.flags(), update.questions(), update.answers(),
                update.authorities(), List.of(tsig)));
        String what = "update of " + n + " A " + address.getHostAddress() + " at " + server.getHostString() + ":"
                + server.getPort();
        try {
            byte[] answer = exchangeUdp(request, id);
            DnsCodec.Decoded d = parse(answer, id, what);
            if (d.message().truncated()) {
                answer = exchangeTcp(request);
                d = parse(answer, id, what);
            }
            check(answer, d, requestMac, what);
        } catch (IOException e) {
            throw new DnsUpdateException(what + ": " + e.getMessage());
        }
    }

    private static DnsCodec.Decoded parse(byte[] answer, int id, String what) throws DnsUpdateException {
        try {
            DnsCodec.Decoded d = DnsCodec.decode(answer);
            DnsMessage m = d.message();
            if (m.id() != id || !m.response() || m.opcode() != DnsMessage.OPCODE_UPDATE) {
                throw new BadDnsMessage("not the answer to our update (id " + m.id() + ", opcode " + m.opcode() + ")");
            }
            return d;
        } catch (BadDnsMessage | IllegalArgumentException e) {
            throw new DnsUpdateException(what + ": malformed answer: " + e.getMessage());
        }
    }

    private void check(byte[] answer, DnsCodec.Decoded d, byte[] requestMac, String what) throws DnsUpdateException {
        DnsMessage m = d.message();
        List<Rr> additional = m.additionals();
        Rr tsig = additional.isEmpty() ? null : additional.getLast();
        String rcode = rcodeName(m.rcode());
        if (tsig == null || tsig.type() != DnsMessage.TYPE_TSIG) {
            throw new DnsUpdateException(what + ": the answer (" + rcode + ") is not signed");
        }
        try {
            Tsig.Fields f = Tsig.Fields.parse(tsig.rdata());
            if (f.error() != 0) {
                throw new DnsUpdateException(what + ": refused: " + rcode + ", TSIG " + tsigError(f.error()));
            }
            Tsig.verify(answer, d.lastRecordOffset(), tsig, f, key, requestMac, epochSeconds.getAsLong());
        } catch (BadDnsMessage e) {
            throw new DnsUpdateException(what + ": answer refused: " + e.getMessage());
        }
        if (m.rcode() != 0) {
            throw new DnsUpdateException(what + ": refused: " + rcode);
        }
    }

    private byte[] exchangeUdp(byte[] request, int id) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(server);
            socket.send(new DatagramPacket(request, request.length));
            long deadline = System.nanoTime() + timeout.toNanos();
            byte[] buffer = new byte[MAX_UDP];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new SocketTimeoutException("no answer in " + timeout.toMillis() + " ms");
                }
                socket.setSoTimeout((int) Math.max(1, left));
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    throw new SocketTimeoutException("no answer in " + timeout.toMillis() + " ms");
                }
                // a late answer to an earlier request on a reused port: not ours, keep waiting
                if (p.getLength() >= 2 && (((buffer[0] & 0xFF) << 8) | (buffer[1] & 0xFF)) != id) {
                    continue;
                }
                return Arrays.copyOf(buffer, p.getLength());
            }
        }
    }

    private byte[] exchangeTcp(byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(server, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(request.length);
            out.write(request);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readUnsignedShort()];
            in.readFully(answer);
            return answer;
        }
    }

    static String rcodeName(int rcode) {
        return rcode < RCODES.length ? RCODES[rcode] : "RCODE " + rcode;
    }

    static String tsigError(int error) {
        return switch (error) {
            case Tsig.BADSIG -> "BADSIG (the server has another secret for this key)";
            case Tsig.BADKEY -> "BADKEY (the server does not know this key)";
            case Tsig.BADTIME -> "BADTIME (our clock and the server's differ by more than the fudge)";
            default -> "error " + error;
        };
    }
}
