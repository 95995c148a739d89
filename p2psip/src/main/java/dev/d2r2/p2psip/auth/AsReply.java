package dev.d2r2.p2psip.auth;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The authentication server's answer, one datagram, big-endian:
 * <pre>
 * magic "AR" (2) · version 1 (1) · status 0 issued | 1 refused (1) · nonce (8) · then
 *   issued:  count (1) · per certificate: length (2) · certificate
 *   refused: refusal code (1) · message length (1) · message (UTF-8)
 * </pre>
 * An answer is not authenticated: the certificates carry the server's signature, and a forged
 * refusal costs the client no more than a lost datagram.
 */
public sealed interface AsReply {
    int MAX_BYTES = 2 + 1 + 1 + 8 + 1 + AsRequest.MAX_KEYS * (2 + Certificate.MAX_BYTES);

    long nonce();

    record Issued(long nonce, List<Certificate> certificates) implements AsReply {
        public Issued {
            certificates = List.copyOf(certificates);
        }
    }

    record Refused(long nonce, Refusal refusal, String message) implements AsReply {
    }

    short MAGIC = 0x4152;
    byte VERSION = 1;

    static byte[] encode(AsReply reply) {
        ByteBuffer out = ByteBuffer.allocate(MAX_BYTES + 256);
        out.putShort(MAGIC).put(VERSION);
        switch (reply) {
            case Issued i -> {
                out.put((byte) 0).putLong(i.nonce()).put((byte) i.certificates().size());
                for (Certificate c : i.certificates()) {
                    byte[] bytes = c.encode();
                    out.putShort((short) bytes.length).put(bytes);
                }
            }
            case Refused r -> {
                byte[] text = r.message().getBytes(StandardCharsets.UTF_8);
                int length = Math.min(text.length, 255);
                out.put((byte) 1).putLong(r.nonce()).put((byte) r.refusal().ordinal()).put((byte) length).put(text, 0, length);
            }
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    static AsReply decode(byte[] bytes) throws BadCertificate {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            if (in.getShort() != MAGIC || in.get() != VERSION) {
                throw new BadCertificate(BadCertificate.Reason.MALFORMED, "not an answer of version " + VERSION);
            }
            int status = in.get();
            long nonce = in.getLong();
            if (status == 1) {
                Refusal refusal = Refusal.ofCode(in.get() & 0xFF);
                byte[] text = new byte[in.get() & 0xFF];
                in.get(text);
                return new Refused(nonce, refusal, new String(text, StandardCharsets.UTF_8));
            }
            if (status != 0) {
                throw new BadCertificate(BadCertificate.Reason.MALFORMED, "answer status " + status);
            }
            int count = in.get() & 0xFF;
            List<Certificate> certificates = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] c = new byte[in.getShort() & 0xFFFF];
                in.get(c);
                certificates.add(Certificate.decode(c));
            }
            return new Issued(nonce, certificates);
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new BadCertificate(BadCertificate.Reason.MALFORMED, "the answer ends early");
        }
    }
}
