package dev.d2r2.core.actuator.http;

import dev.d2r2.core.files.PrivateFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * The secret a caller of an actuator API (the SIP edge's, the scaler's, a migration host's...)
 * shows as {@code Authorization: Bearer TOKEN}. It lives in a file readable by its owner only (the
 * API creates one with 256 random bits when there is none, and refuses one that others may read);
 * the policy engine's webhook actuator reads the same file. Only the token's SHA-256 is kept, and a presented token is compared by its digest in
 * constant time, so neither its content nor its length leaks through timing.
 */
public final class BearerToken {
    public static final int MIN_LENGTH = 16;
    private static final String SCHEME = "Bearer ";
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
    private final byte[] digest;

    private BearerToken(String token) {
        this.digest = sha256(token);
    }

    public static BearerToken of(String token) {
        if (token.length() < MIN_LENGTH || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("a token is at least " + MIN_LENGTH + " visible ASCII characters");
        }
        return new BearerToken(token);
    }

    /** The token in {@code file}, or a new one written there (mode 0600) when the file does not exist. */
    public static BearerToken loadOrCreate(Path file) throws IOException {
        if (Files.notExists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            PrivateFiles.replace(file, (token + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        return load(file);
    }

    /** The token in {@code file}: its first line, which others than its owner may not read or write. */
    public static BearerToken load(Path file) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null && posix.readAttributes().permissions().stream().anyMatch(OTHERS::contains)) {
            throw new IOException(file + ": a token file must be readable by its owner only (chmod 600 " + file + ")");
        }
        try {
            return of(read(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The first line of a token file, stripped. */
    public static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII).lines().findFirst().orElse("").strip();
    }

    /** Whether an {@code Authorization} header's value (null when absent) carries this token. */
    public boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(authorization.substring(SCHEME.length()).strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
