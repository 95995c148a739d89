package dev.d2r2.chronicle.lang;

import java.util.ArrayList;
import java.util.List;

/** Splits a chronicle file into tokens; comments and white space are skipped. */
final class Lexer {
    enum Kind { NAME, NUMBER, STRING, PUNCT, EOF }

    record Token(Kind kind, String text, int line, int col) {
        boolean is(String punct) {
            return kind == Kind.PUNCT && text.equals(punct);
        }

        boolean isWord(String keyword) {
            return kind == Kind.NAME && text.equalsIgnoreCase(keyword);
        }

        String describe() {
            return switch (kind) {
                case EOF -> "end of file";
                case STRING -> "string \"" + text + "\"";
                default -> "'" + text + "'";
            };
        }
    }

    static final class LexException extends Exception {
        final int line;
        final int col;

        LexException(int line, int col, String message) {
            super(message);
            this.line = line;
            this.col = col;
        }
    }

    private final String s;
    private int i;
    private int line = 1;
    private int lineStart;

    Lexer(String text) {
        this.s = text;
    }

    List<Token> tokens() throws LexException {
        List<Token> out = new ArrayList<>();
        while (true) {
            skipBlanks();
            int col = i - lineStart + 1;
            if (i >= s.length()) {
                out.add(new Token(Kind.EOF, "", line, col));
                return out;
            }
            char c = s.charAt(i);
            if (Character.isLetter(c) && c < 128 || c == '_') {
                int start = i;
                while (i < s.length() && (isNameChar(s.charAt(i)))) {
                    i++;
                }
                out.add(new Token(Kind.NAME, s.substring(start, i), line, col));
            } else if (c >= '0' && c <= '9') {
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (i + 1 < s.length() && s.charAt(i) == '.' && Character.isDigit(s.charAt(i + 1))) {
                    i++;
                    while (i < s.length() && Character.isDigit(s.charAt(i))) {
                        i++;
                    }
                }
                out.add(new Token(Kind.NUMBER, s.substring(start, i), line, col));
            } else if (c == '"') {
                out.add(new Token(Kind.STRING, string(col), line, col));
            } else if ((c == '!' || c == '<' || c == '>') && i + 1 < s.length() && s.charAt(i + 1) == '=') {
                out.add(new Token(Kind.PUNCT, s.substring(i, i + 2), line, col));
                i += 2;
            } else if ("(){}[],:?-=<>'".indexOf(c) >= 0) {
                out.add(new Token(Kind.PUNCT, String.valueOf(c), line, col));
                i++;
            } else {
                throw new LexException(line, col, "unexpected character '" + c + "'");
            }
        }
    }

    private static boolean isNameChar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.');
    }

    private String string(int col) throws LexException {
        int startLine = line;
        StringBuilder b = new StringBuilder();
        i++;
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c == '\n') {
                break;
            }
            if (c == '\\' && i < s.length()) {
                c = s.charAt(i++);
            }
            b.append(c);
        }
        throw new LexException(startLine, col, "unterminated string");
    }

    private void skipBlanks() throws LexException {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\n') {
                i++;
                line++;
                lineStart = i;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (s.startsWith("//", i)) {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (s.startsWith("/*", i)) {
                int startLine = line;
                int col = i - lineStart + 1;
                int end = s.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new LexException(startLine, col, "unterminated comment");
                }
                for (int k = i; k < end; k++) {
                    if (s.charAt(k) == '\n') {
                        line++;
                        lineStart = k + 1;
                    }
                }
                i = end + 2;
            } else {
                return;
            }
        }
    }
}
