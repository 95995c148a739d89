package dev.d2r2.migrate;

import dev.d2r2.core.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/** The key a takeover group or migration hosts share: a file of 64 hex digits ({@code openssl rand -hex 32}). */
public final class GroupKey {
    private GroupKey() {
    }

    public static byte[] read(Path file) throws ConfigException {
        try {
            String hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (hex.length() != 64) {
                throw new ConfigException(file + ":1:1: the key must be 64 hex digits (openssl rand -hex 32), not "
                        + hex.length() + " characters");
            }
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ":1:1: the key must be 64 hex digits: " + e.getMessage());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the key: " + e.getMessage());
        }
    }
}
