package dev.d2r2.p2psip.auth;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Identity;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A user's side of the authentication server: asks for certificates for its keys and checks
 * what comes back (signed by the server, of the kind asked, for the keys sent). A request lost
 * or unanswered within the time-out is sent again, with a new nonce, up to {@code attempts}
 * times. Blocking; one request at a time.
 */
public final class AsClient implements AutoCloseable {
    private final InetSocketAddress server;
    private final String user;
    private final byte[] secret;
    private final CertificateVerifier verifier;
    private final Clock clock;
    private final Duration timeout;
    private final int attempts;
    private final SecureRandom random = new SecureRandom();
    private final DatagramSocket socket;

    public AsClient(InetSocketAddress server, String user, byte[] secret, CertificateVerifier verifier, Clock clock, Duration timeout,
                    int attempts) throws IOException {
        this.server = server;
        this.user = user;
        this.secret = secret.clone();
        this.verifier = verifier;
        this.clock = clock;
        this.timeout = timeout;
        this.attempts = attempts;
        this.socket = new DatagramSocket(new InetSocketAddress(server.getAddress().isLoopbackAddress() ? server.getAddress() : null, 0));
    }

    /** An identity certificate binding {@code key} to this client's user. */
    public Certificate identity(Identity key) throws IOException, RequestRefused, BadCertificate {
        return request(CertificateKind.IDENTITY, List.of(key)).getFirst();
    }

    /** One pseudonym certificate of {@code kind} for each key, in order. */
    public List<Certificate> pseudonyms(CertificateKind kind, List<Identity> keys) throws IOException, RequestRefused, BadCertificate {
        if (!kind.pseudonym()) {
            throw new IllegalArgumentException(kind + " is not a pseudonym kind");
        }
        return request(kind, keys);
    }

    private List<Certificate> request(CertificateKind kind, List<Identity> keys) throws IOException, RequestRefused, BadCertificate {
        for (int attempt = 0; attempt < attempts; attempt++) {
            long nonce = random.nextLong();
            List<KeyProof> proofs = keys.stream().map(k -> KeyProof.of(k, nonce, kind)).toList();
            byte[] bytes = new AsRequest(kind, clock.millis(), nonce, user, proofs).encode(secret);
            socket.send(new DatagramPacket(bytes, bytes.length, server));
            AsReply reply = awaitReply(nonce);
            if (reply != null) {
                return accept(reply, kind, keys);
            }
        }
        throw new IOException("the authentication server at " + server + " did not answer " + attempts + " requests within " + timeout);
    }

    private AsReply awaitReply(long nonce) throws IOException {
        byte[] buffer = new byte[AsReply.MAX_BYTES + 256];
        long end = clock.nanos() + timeout.toNanos();
        while (true) {
            long left = (end - clock.nanos()) / 1_000_000;
            if (left <= 0) {
                return null;
            }
            socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            if (!p.getSocketAddress().equals(server)) {
                continue;
            }
            try {
                AsReply reply = AsReply.decode(Arrays.copyOf(p.getData(), p.getLength()));
                if (reply.nonce() == nonce) {
                    return reply;
                }
            } catch (BadCertificate e) {
                // not an answer to us: keep waiting for one
            }
        }
    }

    private List<Certificate> accept(AsReply reply, CertificateKind kind, List<Identity> keys) throws RequestRefused, BadCertificate {
        return switch (reply) {
            case AsReply.Refused r -> throw new RequestRefused(r.refusal(), r.message());
            case AsReply.Issued i -> {
                if (i.certificates().size() != keys.size()) {
                    throw new BadCertificate(BadCertificate.Reason.MALFORMED, i.certificates().size() + " certificates for " + keys.size() + " keys");
                }
                List<Certificate> checked = new ArrayList<>(keys.size());
                for (int n = 0; n < keys.size(); n++) {
                    Certificate c = verifier.verify(i.certificates().get(n).encode(), kind);
                    if (!Arrays.equals(c.publicKey(), keys.get(n).publicKey())) {
                        throw new BadCertificate(BadCertificate.Reason.MALFORMED, "a certificate for another key than the one sent");
                    }
                    checked.add(c);
                }
                yield checked;
            }
        };
    }

    @Override
    public void close() {
        socket.close();
    }
}
