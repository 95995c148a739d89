package dev.d2r2.sip.mobility;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The body of a {@code server-mobility} NOTIFY (docs/migration.md#the-server-mobility-event-package):
 * the server's URI, the server's {@code epoch} and the NOTIFY's {@code version}, which order a
 * subscription's notices (a higher epoch wins, then a higher version), and a {@code mac}:
 * HMAC-SHA256 under the key the subscriber gave in its SUBSCRIBE ({@value #KEY_HEADER}), over
 * the package name, the dialog and the three values — null when the subscriber gave no key.
 *
 * <pre>
 * sip:server@10.97.24.2:5070
 * epoch: 1796533200000
 * version: 2
 * mac: 3q2-7w...
 * </pre>
 */
public record MobilityNotice(String uri, long epoch, long version, String mac) {
    public static final String KEY_HEADER = "Mobility-Key";
    /** Key bytes at least: fewer could be guessed. */
    public static final int MIN_KEY_BYTES = 16;
    private static final int KEY_BYTES = 32;

    /** A fresh key for a SUBSCRIBE's {@value #KEY_HEADER} header, base64url. */
    public static String newKey(SecureRandom random) {
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }

    /** The key of a {@value #KEY_HEADER} value; IllegalArgumentException when it is not base64url of {@value #MIN_KEY_BYTES} bytes or more. */
    public static byte[] key(String text) {
        byte[] key = Base64.getUrlDecoder().decode(text.strip());
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("a " + KEY_HEADER + " needs " + MIN_KEY_BYTES + " bytes at least, not " + key.length);
        }
        return key;
    }

    /** The same notice with its mac under {@code key} for the dialog ({@code callId}, the subscriber's From tag). */
    public MobilityNotice signed(byte[] key, String callId, String subscriberTag) {
        return new MobilityNotice(uri, epoch, version, mac(key, callId, subscriberTag));
    }

    /** Whether its mac is the one {@code key} gives for the dialog (compared in constant time). */
    public boolean verifies(byte[] key, String callId, String subscriberTag) {
        return mac != null && MessageDigest.isEqual(mac.getBytes(StandardCharsets.US_ASCII),
                mac(key, callId, subscriberTag).getBytes(StandardCharsets.US_ASCII));
    }

    private String mac(byte[] key, String callId, String subscriberTag) {
        String signed = "server-mobility\n" + callId + "\n" + subscriberTag + "\n" + uri + "\n" + epoch + "\n" + version;
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Whether it comes after {@code other} in its subscription's order. */
    public boolean newerThan(MobilityNotice other) {
        return epoch != other.epoch ? epoch > other.epoch : version > other.version;
    }

    public String body() {
        return uri + "\r\nepoch: " + epoch + "\r\nversion: " + version + "\r\n" + (mac == null ? "" : "mac: " + mac + "\r\n");
    }

    /** Reads a body; IllegalArgumentException naming what is wrong. Lines end in CRLF or LF; unknown lines are ignored. */
    public static MobilityNotice parse(String body) {
        String[] lines = body.split("\r?\n");
        String uri = lines[0].strip();
        if (!uri.startsWith("sip:")) {
            throw new IllegalArgumentException("the body does not start with a SIP URI");
        }
        Long epoch = null;
        Long version = null;
        String mac = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = colon < 0 ? "" : lines[i].substring(0, colon).strip();
            String value = colon < 0 ? "" : lines[i].substring(colon + 1).strip();
            switch (name) {
                case "epoch" -> epoch = number(name, value);
                case "version" -> version = number(name, value);
                case "mac" -> mac = value;
                default -> { }
            }
        }
        if (epoch == null || version == null) {
            throw new IllegalArgumentException("the body has no epoch or no version");
        }
        return new MobilityNotice(uri, epoch, version, mac);
    }

    private static long number(String name, String value) {
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(name + " is not a number: " + value);
        }
        return Long.parseLong(value);
    }
}
