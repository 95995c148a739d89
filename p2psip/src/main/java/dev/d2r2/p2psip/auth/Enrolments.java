package dev.d2r2.p2psip.auth;

import dev.d2r2.overlay.kad.NodeId;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The enrolled users: each one's long-term secret, and what the server issued to each — the only
 * record anywhere that links a pseudonym to its user. The file holds one {@code USER HEXSECRET}
 * per line ('#' starts a comment); the issue records live in memory only, so a restarted server
 * no longer knows whose a pseudonym was.
 */
public final class Enrolments {
    public static final int MAX_USER_BYTES = 64;
    public static final int SECRET_BYTES = 32;

    /** One certificate issued, as the server remembers it. */
    public record Issued(CertificateKind kind, long serial, NodeId nodeId, long epoch) {
    }

    private static final class Enrolment {
        final byte[] secret;
        final List<Issued> issued = new ArrayList<>();

        Enrolment(byte[] secret) {
            this.secret = secret;
        }
    }

    private final Map<String, Enrolment> users = new HashMap<>();

    public static Enrolments of(Map<String, byte[]> secrets) {
        Enrolments e = new Enrolments();
        secrets.forEach((user, secret) -> e.add(user, secret));
        return e;
    }

    private void add(String user, byte[] secret) {
        checkUser(user);
        if (secret.length != SECRET_BYTES) {
            throw new IllegalArgumentException("a secret has " + SECRET_BYTES + " bytes, not " + secret.length);
        }
        if (users.putIfAbsent(user, new Enrolment(secret.clone())) != null) {
            throw new IllegalArgumentException("user " + user + " is enrolled twice");
        }
    }

    /** Reads the enrolment file; a bad line is an error naming it. */
    public static Enrolments load(Path file) throws IOException {
        Enrolments e = new Enrolments();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            try {
                if (fields.length != 2) {
                    throw new IllegalArgumentException("expected USER HEXSECRET");
                }
                e.add(fields[0], HexFormat.of().parseHex(fields[1]));
            } catch (IllegalArgumentException bad) {
                throw new IOException(file + " line " + (i + 1) + ": " + bad.getMessage());
            }
        }
        return e;
    }

    /** Enrols a new user in the file (created readable by its owner only) and returns the secret to hand them. */
    public static byte[] enrol(Path file, String user) throws IOException {
        if (Files.exists(file) && load(file).users.containsKey(user)) {
            throw new IOException("user " + user + " is already enrolled in " + file);
        }
        checkUser(user);
        byte[] secret = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(file, user + " " + HexFormat.of().formatHex(secret) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return secret;
    }

    /** A user name: 1–64 bytes of UTF-8 with no blank or control character. */
    static void checkUser(String user) {
        int bytes = user.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_USER_BYTES || user.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("a user name has 1–" + MAX_USER_BYTES + " bytes and no blank: '" + user + "'");
        }
    }

    synchronized byte[] secret(String user) {
        Enrolment e = users.get(user);
        return e == null ? null : e.secret;
    }

    synchronized int issuedIn(String user, CertificateKind kind, long epoch) {
        return (int) users.get(user).issued.stream().filter(i -> i.kind() == kind && i.epoch() == epoch).count();
    }

    synchronized void record(String user, Certificate c, long epoch) {
        users.get(user).issued.add(new Issued(c.kind(), c.serial(), c.nodeId(), epoch));
    }

    /** What was issued to a user, oldest first: how the operator finds the owner of a misbehaving pseudonym. */
    public synchronized List<Issued> issuedTo(String user) {
        Enrolment e = users.get(user);
        return e == null ? List.of() : List.copyOf(e.issued);
    }

    public synchronized int size() {
        return users.size();
    }
}
