package dev.d2r2.chronicle.lang;

/** A chronicle file's name and text, kept so that every diagnostic can quote its line. */
public record Source(String file, String text) {
    public String line(int line) {
        String[] lines = text.split("\r?\n", -1);
        return line >= 1 && line <= lines.length ? lines[line - 1] : "";
    }
}
