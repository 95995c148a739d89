package dev.d2r2.migrate.dns;

import dev.d2r2.migrate.dns.DnsMessage.Rr;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/** TSIG (RFC 8945) with HMAC-SHA256: signs a request, verifies the answer against the request's MAC. */
final class Tsig {
    static final int FUDGE_S = 300;
    static final int BADSIG = 16;
    static final int BADKEY = 17;
    static final int BADTIME = 18;

    /** The TSIG record's RDATA. */
    record Fields(String algorithm, long timeSigned, int fudge, byte[] mac, int originalId, int error, byte[] other) {
        static Fields parse(byte[] rdata) throws BadDnsMessage {
            DnsCodec.Reader in = new DnsCodec.Reader(rdata, 0, false);
            String algorithm = in.name();
            long time = in.u48("TSIG");
            int fudge = in.u16("TSIG");
            byte[] mac = in.bytes(in.u16("TSIG"), "TSIG MAC");
            int originalId = in.u16("TSIG");
            int error = in.u16("TSIG");
            byte[] other = in.bytes(in.u16("TSIG"), "TSIG other data");
            if (!in.atEnd()) {
                throw new BadDnsMessage("bytes after the TSIG record's other data");
            }
            return new Fields(algorithm, time, fudge, mac, originalId, error, other);
        }

        byte[] encode() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(DnsNames.wire(algorithm, false));
            DnsCodec.u16(out, (int) (timeSigned >>> 32) & 0xFFFF);
            DnsCodec.u32(out, timeSigned & 0xFFFFFFFFL);
            DnsCodec.u16(out, fudge);
            DnsCodec.u16(out, mac.length);
            out.writeBytes(mac);
            DnsCodec.u16(out, originalId);
            DnsCodec.u16(out, error);
            DnsCodec.u16(out, other.length);
            out.writeBytes(other);
            return out.toByteArray();
        }
    }

    private Tsig() {
    }

    /** The TSIG record for {@code unsigned}, the whole request encoded without it. */
    static Rr sign(byte[] unsigned, TsigKey key, long timeSigned) {
        byte[] mac = mac(key, new byte[0], unsigned, unsigned.length, idOf(unsigned), TsigKey.ALGORITHM, timeSigned,
                FUDGE_S, 0, new byte[0]);
        Fields f = new Fields(TsigKey.ALGORITHM, timeSigned, FUDGE_S, mac, idOf(unsigned), 0, new byte[0]);
        return new Rr(key.name(), DnsMessage.TYPE_TSIG, DnsMessage.CLASS_ANY, 0, f.encode());
    }

    /**
     * Checks an answer's TSIG, its last record starting at {@code tsigOffset}: the key's name, the
     * algorithm, the MAC over the request's MAC and the answer, and the time.
     */
    static void verify(byte[] answer, int tsigOffset, Rr tsig, Fields f, TsigKey key, byte[] requestMac, long nowSeconds)
            throws BadDnsMessage {
        if (!tsig.name().equalsIgnoreCase(key.name())) {
            throw new BadDnsMessage("the answer is signed with key " + tsig.name() + ", not " + key.name());
        }
        if (!f.algorithm().equalsIgnoreCase(TsigKey.ALGORITHM)) {
            throw new BadDnsMessage("the answer is signed with " + f.algorithm() + ", not " + TsigKey.ALGORITHM);
        }
        byte[] prior = new byte[2 + requestMac.length];
        prior[0] = (byte) (requestMac.length >> 8);
        prior[1] = (byte) requestMac.length;
        System.arraycopy(requestMac, 0, prior, 2, requestMac.length);
        byte[] expected = mac(key, prior, answer, tsigOffset, f.originalId(), f.algorithm(), f.timeSigned(), f.fudge(),
                f.error(), f.other());
        if (!MessageDigest.isEqual(expected, f.mac())) {
            throw new BadDnsMessage("the answer's TSIG MAC does not verify (another key, or altered on the way)");
        }
        if (Math.abs(nowSeconds - f.timeSigned()) > f.fudge()) {
            throw new BadDnsMessage("the answer's TSIG time is " + (f.timeSigned() - nowSeconds)
                    + " s off our clock (fudge " + f.fudge() + " s)");
        }
    }

    private static int idOf(byte[] message) {
        return ((message[0] & 0xFF) << 8) | (message[1] & 0xFF);
    }

    /** RFC 8945 §4.3.3: the message as it was before TSIG (original ID, one record fewer), then the TSIG variables. */
    private static byte[] mac(TsigKey key, byte[] prior, byte[] message, int length, int originalId, String algorithm,
                              long timeSigned, int fudge, int error, byte[] other) {
        byte[] body = Arrays.copyOf(message, length);
        body[0] = (byte) (originalId >> 8);
        body[1] = (byte) originalId;
        if (length < message.length) {
            int arcount = (((body[10] & 0xFF) << 8) | (body[11] & 0xFF)) - 1;
            body[10] = (byte) (arcount >> 8);
            body[11] = (byte) arcount;
        }
        ByteArrayOutputStream vars = new ByteArrayOutputStream();
        vars.writeBytes(DnsNames.wire(key.name(), true));
        DnsCodec.u16(vars, DnsMessage.CLASS_ANY);
        DnsCodec.u32(vars, 0);
        vars.writeBytes(DnsNames.wire(algorithm, true));
        DnsCodec.u16(vars, (int) (timeSigned >>> 32) & 0xFFFF);
        DnsCodec.u32(vars, timeSigned & 0xFFFFFFFFL);
        DnsCodec.u16(vars, fudge);
        DnsCodec.u16(vars, error);
        DnsCodec.u16(vars, other.length);
        vars.writeBytes(other);
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(key.secret(), "HmacSHA256"));
            hmac.update(prior);
            hmac.update(body);
            hmac.update(vars.toByteArray());
            return hmac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }
}
