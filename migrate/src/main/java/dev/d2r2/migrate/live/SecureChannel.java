package dev.d2r2.migrate.live;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * A TCP connection whose frames are authenticated under a shared key: each side sends a fresh
 * 16-byte nonce first; the session key is HMAC-SHA256(key, the accepting side's nonce, then the
 * connecting side's), and every frame ({@code type}, 4-byte length, payload) is followed by the
 * first 16 bytes of HMAC-SHA256(session key, direction, sequence number, type, payload). A frame
 * from another key, another session, out of order or altered is refused and the connection
 * closed. Frames are not encrypted: the state they carry (Call-IDs, addresses of record) is
 * not secret on the operator's own network, but forging it would be harmful.
 */
public final class SecureChannel implements AutoCloseable {
    public static final int MAX_FRAME = 64 << 20;
    private static final int NONCE = 16;
    private static final int TAG = 16;

    /** A frame: its type and payload. */
    public record Frame(byte type, byte[] payload) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Mac sendMac;
    private final Mac receiveMac;
    private final byte sendDirection;
    private long sent;
    private long received;

    private SecureChannel(Socket socket, byte[] key, boolean accepting) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
        byte[] mine = new byte[NONCE];
        new SecureRandom().nextBytes(mine);
        out.write(mine);
        out.flush();
        byte[] theirs = in.readNBytes(NONCE);
        if (theirs.length != NONCE) {
            throw new IOException("the peer closed before its nonce");
        }
        try {
            Mac kdf = Mac.getInstance("HmacSHA256");
            kdf.init(new SecretKeySpec(key, "HmacSHA256"));
            kdf.update(accepting ? mine : theirs);
            kdf.update(accepting ? theirs : mine);
            byte[] session = kdf.doFinal();
            sendMac = Mac.getInstance("HmacSHA256");
            sendMac.init(new SecretKeySpec(session, "HmacSHA256"));
            receiveMac = Mac.getInstance("HmacSHA256");
            receiveMac.init(new SecretKeySpec(session, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
        this.sendDirection = (byte) (accepting ? 'A' : 'C');
    }

    public static SecureChannel connect(Socket socket, byte[] key) throws IOException {
        return new SecureChannel(socket, key, false);
    }

    public static SecureChannel accept(Socket socket, byte[] key) throws IOException {
        return new SecureChannel(socket, key, true);
    }

    public void send(byte type, byte[] payload) throws IOException {
        byte[] tag = tag(sendMac, sendDirection, sent++, type, payload);
        out.writeByte(type);
        out.writeInt(payload.length);
        out.write(payload);
        out.write(tag, 0, TAG);
        out.flush();
    }

    /** The next frame; an {@link IOException} when the connection ends or a frame is not authentic. */
    public Frame receive() throws IOException {
        byte type = in.readByte();
        int length = in.readInt();
        if (length < 0 || length > MAX_FRAME) {
            throw new IOException("frame of " + length + " bytes refused");
        }
        byte[] payload = in.readNBytes(length);
        byte[] got = in.readNBytes(TAG);
        if (payload.length != length || got.length != TAG) {
            throw new IOException("the peer closed within a frame");
        }
        byte[] expected = tag(receiveMac, sendDirection == 'A' ? (byte) 'C' : (byte) 'A', received++, type, payload);
        int diff = 0;
        for (int i = 0; i < TAG; i++) {
            diff |= expected[i] ^ got[i];
        }
        if (diff != 0) {
            throw new IOException("frame not authentic (another key, replayed or altered)");
        }
        return new Frame(type, payload);
    }

    private static byte[] tag(Mac mac, byte direction, long seq, byte type, byte[] payload) {
        mac.update(direction);
        for (int i = 7; i >= 0; i--) {
            mac.update((byte) (seq >>> (8 * i)));
        }
        mac.update(type);
        mac.update(payload);
        return mac.doFinal();
    }

    public void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
