package dev.d2r2.migrate.dns;

import dev.d2r2.core.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * A TSIG key (RFC 8945), HMAC-SHA256 only. The key file is either what knot's
 * {@code keymgr -t NAME hmac-sha256} prints (its {@code id:}, {@code algorithm:} and
 * {@code secret:} lines are read; the {@code #} comment is ignored) or one line
 * {@code hmac-sha256:NAME:BASE64SECRET}, the form {@code kdig -y} and {@code nsupdate -y} take.
 */
public record TsigKey(String name, byte[] secret) {
    public static final String ALGORITHM = "hmac-sha256";

    public TsigKey {
        name = DnsNames.normalise(name);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a TSIG key needs a name");
        }
        if (secret.length == 0) {
            throw new IllegalArgumentException("a TSIG key needs a secret");
        }
        secret = secret.clone();
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    public static TsigKey load(Path file) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the TSIG key: " + e.getMessage());
        }
        String name = null;
        String algorithm = null;
        String secret = null;
        int secretLine = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("- ")) {
                line = line.substring(2).strip();
            }
            if (line.isEmpty() || line.startsWith("#") || line.equals("key:")) {
                continue;
            }
            int at = i + 1;
            if (line.startsWith("id:")) {
                name = line.substring(3).strip();
            } else if (line.startsWith("algorithm:")) {
                algorithm = line.substring(10).strip();
            } else if (line.startsWith("secret:")) {
                secret = line.substring(7).strip();
                secretLine = at;
            } else {
                String[] parts = line.split(":", -1);
                if (parts.length != 3) {
                    throw new ConfigException(file + ":" + at + ":1: expected hmac-sha256:NAME:SECRET or keymgr's"
                            + " id:/algorithm:/secret: lines");
                }
                algorithm = parts[0];
                name = parts[1];
                secret = parts[2];
                secretLine = at;
            }
        }
        if (name == null || secret == null) {
            throw new ConfigException(file + ":1:1: the key file names no key: it needs a name (id:) and a secret");
        }
        if (algorithm != null && !algorithm.equalsIgnoreCase(ALGORITHM)) {
            throw new ConfigException(file + ":1:1: only " + ALGORITHM + " keys are supported, not " + algorithm);
        }
        try {
            return new TsigKey(name, Base64.getDecoder().decode(secret));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ":" + secretLine + ":1: bad TSIG key: " + e.getMessage());
        }
    }
}
