package dev.d2r2.p2psip.tunnel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** A {@link Hop} in 50 bytes: raw key (32), IPv6 or IPv4-mapped address (16), port (2). */
public final class HopCodec {
    public static final int BYTES = X25519.KEY_BYTES + 16 + 2;

    private HopCodec() {
    }

    public static void put(ByteBuffer b, Hop hop) {
        b.put(hop.publicKey());
        byte[] ip = hop.address().getAddress().getAddress();
        if (ip.length == 4) {
            b.put(new byte[10]).put((byte) 0xff).put((byte) 0xff);
        }
        b.put(ip).putShort((short) hop.address().getPort());
    }

    public static Hop get(ByteBuffer b) throws MalformedCell {
        byte[] key = new byte[X25519.KEY_BYTES];
        byte[] ip = new byte[16];
        b.get(key).get(ip);
        int port = b.getShort() & 0xffff;
        if (port == 0) {
            throw new MalformedCell(Refusal.MALFORMED, "a hop's port is 0");
        }
        try {
            return new Hop(key, new InetSocketAddress(InetAddress.getByAddress(ip), port));
        } catch (UnknownHostException e) {
            throw new MalformedCell(Refusal.MALFORMED, "bad hop address");
        }
    }
}
