package dev.d2r2.chronicle.lang;

/** An error or warning at a place in a chronicle file. */
public record Diagnostic(Severity severity, Source source, int line, int col, String message) {
    public enum Severity { ERROR, WARNING }

    public static Diagnostic error(Source source, int line, int col, String message) {
        return new Diagnostic(Severity.ERROR, source, line, col, message);
    }

    public static Diagnostic warning(Source source, int line, int col, String message) {
        return new Diagnostic(Severity.WARNING, source, line, col, message);
    }

    /** {@code file:line:col: message}, then the offending line and a caret under the column. */
    public String format() {
        String text = source.line(line);
        StringBuilder caret = new StringBuilder();
        for (int i = 1; i < col && i <= text.length(); i++) {
            caret.append(text.charAt(i - 1) == '\t' ? '\t' : ' ');
        }
        String kind = severity == Severity.WARNING ? "warning: " : "";
        return source.file() + ":" + line + ":" + col + ": " + kind + message + "\n  " + text + "\n  " + caret + "^";
    }
}
