package dev.d2r2.chronicle.lang;

import dev.d2r2.chronicle.lang.Ast.AttrTest;
import dev.d2r2.chronicle.lang.Ast.ChronicleDef;
import dev.d2r2.chronicle.lang.Ast.Constraint;
import dev.d2r2.chronicle.lang.Ast.Emit;
import dev.d2r2.chronicle.lang.Ast.EmitAttr;
import dev.d2r2.chronicle.lang.Ast.EventStmt;
import dev.d2r2.chronicle.lang.Ast.HoldStmt;
import dev.d2r2.chronicle.lang.Ast.NoEventStmt;
import dev.d2r2.chronicle.lang.Ast.OccursStmt;
import dev.d2r2.chronicle.lang.Ast.Pattern;
import dev.d2r2.chronicle.lang.Ast.Pos;
import dev.d2r2.chronicle.lang.Ast.Statement;
import dev.d2r2.chronicle.lang.Ast.Term;
import dev.d2r2.chronicle.lang.Lexer.Kind;
import dev.d2r2.chronicle.lang.Lexer.Token;

import java.util.ArrayList;
import java.util.List;

/** Parses the chronicle language (spec §2-§5) into {@link Ast} nodes; stops at the first syntax error. */
public final class Parser {
    private final Source source;
    private List<Token> tokens;
    private int p;

    private Parser(Source source) {
        this.source = source;
    }

    public static List<ChronicleDef> parse(Source source) throws ChronicleException {
        Parser parser = new Parser(source);
        try {
            parser.tokens = new Lexer(source.text()).tokens();
            return parser.file();
        } catch (Lexer.LexException e) {
            throw new ChronicleException(List.of(Diagnostic.error(source, e.line, e.col, e.getMessage())));
        } catch (SyntaxError e) {
            throw new ChronicleException(List.of(Diagnostic.error(source, e.at.line(), e.at.col(), e.getMessage())));
        }
    }

    private static final class SyntaxError extends Exception {
        final Token at;

        SyntaxError(Token at, String message) {
            super(message);
            this.at = at;
        }
    }

    private List<ChronicleDef> file() throws SyntaxError {
        List<ChronicleDef> out = new ArrayList<>();
        while (peek().kind() != Kind.EOF) {
            out.add(chronicle());
        }
        return out;
    }

    private ChronicleDef chronicle() throws SyntaxError {
        Token kw = next();
        if (!kw.isWord("chronicle")) {
            throw new SyntaxError(kw, "expected 'chronicle', found " + kw.describe());
        }
        Token name = name("a chronicle name");
        expect("{");
        List<Statement> statements = new ArrayList<>();
        Emit emit = null;
        while (!peek().is("}")) {
            Token t = peek();
            if (t.kind() == Kind.EOF) {
                throw new SyntaxError(t, "missing '}' to close chronicle " + name.text());
            }
            if (t.isWord("when")) {
                if (emit != null) {
                    throw new SyntaxError(t, "a chronicle has at most one 'when recognized' block");
                }
                emit = whenRecognized();
            } else {
                statements.add(statement());
            }
        }
        next();
        return new ChronicleDef(name.text(), source, pos(kw), List.copyOf(statements), emit);
    }

    private Statement statement() throws SyntaxError {
        Token t = next();
        if (t.kind() != Kind.NAME) {
            throw new SyntaxError(t, "expected a statement (event, noevent, hold, occurs or a time constraint), found " + t.describe());
        }
        if (peek().is("(")) {
            String kw = t.text().toLowerCase(java.util.Locale.ROOT);
            switch (kw) {
                case "event" -> {
                    expect("(");
                    Pattern pat = pattern(true);
                    expect(",");
                    Token point = name("a time point");
                    expect(")");
                    return new EventStmt(pat, point.text(), pos(t));
                }
                case "noevent" -> {
                    expect("(");
                    Pattern pat = pattern(true);
                    expect(",");
                    String[] iv = interval();
                    expect(")");
                    return new NoEventStmt(pat, iv[0], iv[1], pos(t));
                }
                case "hold" -> {
                    expect("(");
                    Pattern pat = pattern(false);
                    expect(":");
                    Term value = term(false);
                    expect(",");
                    String[] iv = interval();
                    expect(")");
                    return new HoldStmt(pat, value, iv[0], iv[1], pos(t));
                }
                case "occurs" -> {
                    expect("(");
                    expect("(");
                    long min = count(false);
                    expect(",");
                    long max = count(true);
                    Token close = expect(")");
                    if (max < min) {
                        throw new SyntaxError(close, "occurs bounds (" + min + ", " + max + "): the maximum is below the minimum");
                    }
                    expect(",");
                    Pattern pat = pattern(true);
                    expect(",");
                    String[] iv = interval();
                    expect(")");
                    return new OccursStmt(min, max, pat, iv[0], iv[1], pos(t));
                }
                default -> throw new SyntaxError(t, "unknown statement '" + t.text() + "'");
            }
        }
        return constraint(t);
    }

    private Constraint constraint(Token a) throws SyntaxError {
        int first = p - 1;
        Token op = next();
        long lo;
        long hi;
        Token b;
        switch (op.text()) {
            case "-" -> {
                b = name("a time point");
                Token in = next();
                if (!in.isWord("in")) {
                    throw new SyntaxError(in, "expected 'in' after '" + a.text() + " - " + b.text() + "'");
                }
                expect("[");
                lo = duration();
                expect(",");
                hi = duration();
                Token close = expect("]");
                if (lo > hi) {
                    throw new SyntaxError(close, "empty interval: the lower bound is above the upper bound");
                }
            }
            case "<" -> {
                b = name("a time point");
                lo = Long.MIN_VALUE;
                hi = -1;
            }
            case "<=" -> {
                b = name("a time point");
                lo = Long.MIN_VALUE;
                hi = 0;
            }
            case "=" -> {
                b = name("a time point");
                lo = 0;
                hi = 0;
            }
            case ">" -> {
                b = name("a time point");
                lo = 1;
                hi = Long.MAX_VALUE;
            }
            case ">=" -> {
                b = name("a time point");
                lo = 0;
                hi = Long.MAX_VALUE;
            }
            default -> throw new SyntaxError(op.kind() == Kind.EOF ? op : a,
                    "expected a statement (event, noevent, hold, occurs or a time constraint such as 't2 - t1 in [0, 5s]'), found '" + a.text() + "'");
        }
        String text = text(first, p);
        return new Constraint(a.text(), b.text(), lo, hi, text, pos(a));
    }

    private Emit whenRecognized() throws SyntaxError {
        next();
        Token r = next();
        if (!r.isWord("recognized")) {
            throw new SyntaxError(r, "expected 'recognized' after 'when'");
        }
        expect("{");
        Token e = next();
        if (!e.isWord("emit")) {
            throw new SyntaxError(e, "expected 'emit' in the 'when recognized' block");
        }
        Token type = name("an event type to emit");
        List<EmitAttr> attrs = new ArrayList<>();
        if (peek().is("[")) {
            next();
            do {
                Token key = name("an attribute name");
                expect("=");
                attrs.add(new EmitAttr(key.text(), term(false), pos(key)));
            } while (accept(","));
            expect("]");
        }
        expect("}");
        return new Emit(type.text(), List.copyOf(attrs), pos(type));
    }

    private Pattern pattern(boolean statePart) throws SyntaxError {
        Token type = name("an event type");
        List<AttrTest> attrs = new ArrayList<>();
        if (peek().is("[")) {
            next();
            do {
                Token key = name("an attribute name");
                Token op = next();
                if (op.is("=")) {
                    attrs.add(new AttrTest(key.text(), false, term(false), pos(key)));
                } else if (op.is("!=")) {
                    Token v = peek();
                    Term value = term(false);
                    if (!(value instanceof Ast.Literal)) {
                        throw new SyntaxError(v, "'!=' takes a literal, not a variable");
                    }
                    attrs.add(new AttrTest(key.text(), true, value, pos(key)));
                } else {
                    throw new SyntaxError(op, "expected '=' or '!=' after attribute '" + key.text() + "', found " + op.describe());
                }
            } while (accept(","));
            expect("]");
        }
        Term from = null;
        Term to = null;
        if (statePart && peek().is(":")) {
            next();
            expect("(");
            from = term(true);
            expect(",");
            to = term(true);
            expect(")");
        }
        return new Pattern(type.text(), List.copyOf(attrs), from, to, pos(type));
    }

    /** A literal, a variable {@code ?x}, or (where {@code anyAllowed}) a lone {@code ?}. */
    private Term term(boolean anyAllowed) throws SyntaxError {
        Token t = next();
        if (t.is("?")) {
            Token n = peek();
            if (n.kind() == Kind.NAME && n.line() == t.line() && n.col() == t.col() + 1) {
                next();
                return new Ast.Var(n.text());
            }
            if (anyAllowed) {
                return new Ast.Any();
            }
            throw new SyntaxError(t, "expected a variable name after '?'");
        }
        if (t.is("-") && peek().kind() == Kind.NUMBER) {
            return new Ast.Literal(canonicalNumber("-" + next().text()));
        }
        return switch (t.kind()) {
            case NAME, STRING -> new Ast.Literal(t.text());
            case NUMBER -> new Ast.Literal(canonicalNumber(t.text()));
            default -> throw new SyntaxError(t, "expected a value, found " + t.describe());
        };
    }

    /** Numbers compare as text written canonically: integers without decimals. */
    static String canonicalNumber(String text) {
        return canonicalNumber(Double.parseDouble(text));
    }

    /** The canonical text of a number, for literals and event values alike. */
    public static String canonicalNumber(double d) {
        if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e18) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    /** Tokens [from, to) written back as source text, for messages. */
    private String text(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            Token t = tokens.get(i);
            boolean glue = i == from || t.is(",") || t.is("]") || t.is("'") || tokens.get(i - 1).is("[")
                    || t.kind() == Kind.NAME && tokens.get(i - 1).kind() == Kind.NUMBER
                    || t.kind() == Kind.NUMBER && tokens.get(i - 1).is("-") && i >= 2 && (tokens.get(i - 2).is("[") || tokens.get(i - 2).is(","));
            if (!glue) {
                b.append(' ');
            }
            b.append(t.text());
        }
        return b.toString();
    }

    private String[] interval() throws SyntaxError {
        expect("(");
        Token a = name("a time point");
        expect(",");
        Token b = name("a time point");
        expect(")");
        return new String[]{a.text(), b.text()};
    }

    private long count(boolean infAllowed) throws SyntaxError {
        Token t = next();
        if (infAllowed && t.isWord("inf")) {
            return Long.MAX_VALUE;
        }
        if (t.kind() != Kind.NUMBER || t.text().contains(".")) {
            throw new SyntaxError(t, "expected a whole number" + (infAllowed ? " or 'inf'" : "") + ", found " + t.describe());
        }
        try {
            return Long.parseLong(t.text());
        } catch (NumberFormatException e) {
            throw new SyntaxError(t, "number too large");
        }
    }

    /** A duration in ms: [-]INTEGER[unit] or [-]inf; a bare integer means seconds. */
    private long duration() throws SyntaxError {
        boolean negative = accept("-");
        Token t = next();
        if (t.isWord("inf")) {
            return negative ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        if (t.kind() != Kind.NUMBER || t.text().contains(".")) {
            throw new SyntaxError(t, "expected a duration such as 5s, 200ms, 2' or inf, found " + t.describe());
        }
        long unit = 1000;
        Token u = peek();
        if (u.is("'")) {
            next();
            unit = 60_000;
        } else if (u.kind() == Kind.NAME) {
            unit = switch (u.text().toLowerCase(java.util.Locale.ROOT)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> throw new SyntaxError(u, "unknown duration unit '" + u.text() + "' (use ms, s, m, ' or h)");
            };
            next();
        }
        try {
            long v = Math.multiplyExact(Long.parseLong(t.text()), unit);
            return negative ? -v : v;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new SyntaxError(t, "duration too large");
        }
    }

    private Token name(String what) throws SyntaxError {
        Token t = next();
        if (t.kind() != Kind.NAME) {
            throw new SyntaxError(t, "expected " + what + ", found " + t.describe());
        }
        return t;
    }

    private Token expect(String punct) throws SyntaxError {
        Token t = next();
        if (!t.is(punct)) {
            throw new SyntaxError(t, "expected '" + punct + "', found " + t.describe());
        }
        return t;
    }

    private boolean accept(String punct) {
        if (peek().is(punct)) {
            p++;
            return true;
        }
        return false;
    }

    private Token peek() {
        return tokens.get(p);
    }

    private Token next() {
        Token t = tokens.get(p);
        if (t.kind() != Kind.EOF) {
            p++;
        }
        return t;
    }

    private static Pos pos(Token t) {
        return new Pos(t.line(), t.col());
    }
}
