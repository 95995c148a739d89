package dev.d2r2.p2psip.overlay;

import dev.d2r2.overlay.kad.Contact;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.auth.BadCertificate;
import dev.d2r2.p2psip.auth.Certificate;
import dev.d2r2.p2psip.auth.CertificateKind;
import dev.d2r2.p2psip.auth.CertificateVerifier;
import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.X25519;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a forwarding peer announces in its PONGs, so that a user agent can build tunnels through it:
 * its forwarding pseudonym certificate and its relay as a hop (X25519 key, TCP address), signed with
 * the pseudonym's key, big-endian:
 * <pre>
 * version 1 (1) · certificate length (1) · certificate · relay key (32) · family 4|6 (1) · address (4|16) · port (2)
 *   · signature (64)
 * </pre>
 * The signature covers everything before it. {@link #check} accepts a card only from the node the
 * lookup named: the certificate is the authentication server's, of the forwarding kind and valid;
 * its node id is the contact's; the relay is on the contact's host.
 */
public final class RelayCard {
    private static final byte VERSION = 1;
    private static final byte[] CONTEXT = "d2r2-p2psip-relay-card".getBytes(StandardCharsets.US_ASCII);

    private RelayCard() {
    }

    /** The card of the peer holding {@code pseudonym} (the key {@code certificate} binds) whose relay is {@code relay}. */
    public static byte[] sign(Identity pseudonym, byte[] certificate, Hop relay) {
        byte[] body = body(certificate, relay);
        byte[] signature = pseudonym.sign(signed(body));
        return ByteBuffer.allocate(body.length + Certificate.SIGNATURE_BYTES).put(body).put(signature).array();
    }

    /** The hop {@code card} names, if it is {@code contact}'s and well signed. */
    public static Hop check(byte[] card, Contact contact, CertificateVerifier verifier) throws BadCard {
        if (card.length == 0) {
            throw new BadCard(BadCard.Reason.NONE, contact + " announces no relay");
        }
        ByteBuffer in = ByteBuffer.wrap(card);
        byte[] certificate;
        Hop hop;
        byte[] signature = new byte[Certificate.SIGNATURE_BYTES];
        try {
            if (in.get() != VERSION) {
                throw new BadCard(BadCard.Reason.MALFORMED, "not a card of version " + VERSION);
            }
            certificate = new byte[in.get() & 0xFF];
            in.get(certificate);
            byte[] key = new byte[X25519.KEY_BYTES];
            in.get(key);
            int family = in.get();
            if (family != 4 && family != 6) {
                throw new BadCard(BadCard.Reason.MALFORMED, "address family " + family);
            }
            byte[] raw = new byte[family == 4 ? 4 : 16];
            in.get(raw);
            int port = in.getShort() & 0xFFFF;
            if (port == 0) {
                throw new BadCard(BadCard.Reason.MALFORMED, "port 0");
            }
            hop = new Hop(key, new InetSocketAddress(InetAddress.getByAddress(raw), port));
            in.get(signature);
            if (in.hasRemaining()) {
                throw new BadCard(BadCard.Reason.MALFORMED, in.remaining() + " bytes after the signature");
            }
        } catch (BufferUnderflowException e) {
            throw new BadCard(BadCard.Reason.MALFORMED, "the card ends early (" + card.length + " bytes)");
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address is always an address", e);
        }
        Certificate c;
        try {
            c = verifier.verify(certificate, CertificateKind.FORWARDING);
        } catch (BadCertificate e) {
            throw new BadCard(BadCard.Reason.CERTIFICATE, e.getMessage());
        }
        if (!c.nodeId().equals(contact.id())) {
            throw new BadCard(BadCard.Reason.OTHER_NODE, "the certificate is node " + c.nodeId() + "'s, not " + contact.id() + "'s");
        }
        if (!Identity.verify(c.publicKey(), signed(Arrays.copyOf(card, card.length - Certificate.SIGNATURE_BYTES)), signature)) {
            throw new BadCard(BadCard.Reason.BAD_SIGNATURE, "not signed by the pseudonym's key, or altered since");
        }
        if (!hop.address().getAddress().equals(contact.address().getAddress())) {
            throw new BadCard(BadCard.Reason.OTHER_HOST, "a relay on " + hop.address().getAddress() + " for a node on " + contact.address());
        }
        return hop;
    }

    private static byte[] body(byte[] certificate, Hop relay) {
        InetAddress host = relay.address().getAddress();
        byte[] raw = host.getAddress();
        return ByteBuffer.allocate(2 + certificate.length + X25519.KEY_BYTES + 1 + raw.length + 2).put(VERSION)
                .put((byte) certificate.length).put(certificate).put(relay.publicKey()).put((byte) (host instanceof Inet4Address ? 4 : 6))
                .put(raw).putShort((short) relay.address().getPort()).array();
    }

    private static byte[] signed(byte[] body) {
        return ByteBuffer.allocate(CONTEXT.length + body.length).put(CONTEXT).put(body).array();
    }
}
