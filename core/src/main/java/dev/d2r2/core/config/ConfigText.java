package dev.d2r2.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a configuration file's text with limits checked before any parser sees it: at most
 * {@link #MAX_FILE_BYTES}, strict UTF-8 (the first bad byte is reported at its line and column),
 * lines of at most {@link #MAX_LINE_CHARS}. The YAML parser's time grows with the square of a
 * plain scalar's length, so a multi-megabyte value would cost seconds and gigabytes; no real
 * configuration comes near these limits.
 */
public final class ConfigText {
    public static final int MAX_FILE_BYTES = 2 << 20;
    public static final int MAX_LINE_CHARS = 64 << 10;

    private ConfigText() {
    }

    public static String read(Path file) throws ConfigException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ConfigException(file + ": larger than " + (MAX_FILE_BYTES >> 20) + " MiB; not a configuration file");
        }
        String text = decode(file.toString(), bytes);
        checkLines(file.toString(), text);
        return text;
    }

    /** Checks text given directly (not read from a file) against the same limits. */
    public static void check(String origin, String text) throws ConfigException {
        if (text.length() > MAX_FILE_BYTES) {
            throw new ConfigException(origin + ": larger than " + (MAX_FILE_BYTES >> 20) + " MiB; not a configuration file");
        }
        checkLines(origin, text);
    }

    private static String decode(String origin, byte[] bytes) throws ConfigException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            int bad = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < bad; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            int col = new String(bytes, lineStart, bad - lineStart, StandardCharsets.UTF_8).length() + 1;
            throw new ConfigException(String.format("%s:%d:%d: not UTF-8 text (byte 0x%02x); save the file as UTF-8",
                    origin, line, col, bytes[bad] & 0xff));
        }
        try {
            decoder.flush(out);
        } catch (IllegalStateException e) {
            throw new ConfigException(origin + ": not UTF-8 text");
        }
        return out.flip().toString();
    }

    private static void checkLines(String origin, String text) throws ConfigException {
        int line = 1;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '\n') {
                if (i - start > MAX_LINE_CHARS) {
                    throw new ConfigException(origin + ":" + line + ":" + (MAX_LINE_CHARS + 1) + ": line longer than "
                            + MAX_LINE_CHARS + " characters; no configuration value is this long");
                }
                line++;
                start = i + 1;
            }
        }
    }
}
