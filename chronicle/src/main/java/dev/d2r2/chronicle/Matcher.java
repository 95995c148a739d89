package dev.d2r2.chronicle;

import dev.d2r2.chronicle.lang.Ast;
import dev.d2r2.core.Event;

import java.util.Map;

/**
 * A compiled pattern: type, attribute tests and state part. Variables are slots of the
 * chronicle's binding array; a test on a variable either checks the slot or binds it.
 */
final class Matcher {
    private static final int ANY = -1;
    private static final int LITERAL = -2;

    final String type;
    private final String[] keys;
    private final boolean[] negated;
    /** Per test: a variable slot, or {@link #LITERAL}. */
    private final int[] slots;
    private final String[] literals;
    private final boolean statePart;
    private final int fromSlot;
    private final String fromLiteral;
    private final int toSlot;
    private final String toLiteral;
    /** The distinct variable slots this pattern binds or checks. */
    final int[] vars;

    Matcher(Ast.Pattern p, Ast.Term holdValue, Map<String, Integer> varIndex) {
        this.type = p.type();
        int n = p.attrs().size();
        keys = new String[n];
        negated = new boolean[n];
        slots = new int[n];
        literals = new String[n];
        java.util.LinkedHashSet<Integer> vs = new java.util.LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            Ast.AttrTest t = p.attrs().get(i);
            keys[i] = t.key();
            negated[i] = t.negated();
            slots[i] = slot(t.value(), varIndex);
            literals[i] = t.value() instanceof Ast.Literal l ? l.text() : null;
            if (slots[i] >= 0) {
                vs.add(slots[i]);
            }
        }
        Ast.Term from = p.from();
        Ast.Term to = holdValue != null ? holdValue : p.to();
        statePart = p.hasStatePart() || holdValue != null;
        fromSlot = holdValue != null ? ANY : slot(from, varIndex);
        fromLiteral = from instanceof Ast.Literal l && holdValue == null ? l.text() : null;
        toSlot = holdValue != null ? ANY : slot(to, varIndex);
        toLiteral = to instanceof Ast.Literal l && holdValue == null ? l.text() : null;
        if (fromSlot >= 0) {
            vs.add(fromSlot);
        }
        if (toSlot >= 0) {
            vs.add(toSlot);
        }
        vars = vs.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int slot(Ast.Term t, Map<String, Integer> varIndex) {
        return switch (t) {
            case null -> ANY;
            case Ast.Var v -> varIndex.get(v.name());
            case Ast.Literal l -> LITERAL;
            case Ast.Any a -> ANY;
        };
    }

    /**
     * Whether {@code e} matches, given the bindings in {@code vals} (null = unbound); when
     * {@code bind} is true, unbound variables are bound in {@code vals}, else they match anything.
     * On a mismatch {@code vals} may be partly written: pass a scratch copy.
     */
    boolean matches(Event e, String[] vals, boolean bind) {
        if (!type.equals(e.type())) {
            return false;
        }
        // The state part first: a field read, cheaper than attribute lookups, and it rejects most.
        if (statePart) {
            if (e.to() == null) {
                return false;
            }
            if (fromSlot != ANY) {
                if (e.from() == null || !test(e.from(), fromSlot, fromLiteral, vals, bind)) {
                    return false;
                }
            }
            if (toSlot != ANY && !test(e.to(), toSlot, toLiteral, vals, bind)) {
                return false;
            }
        }
        for (int i = 0; i < keys.length; i++) {
            String v = Values.of(e, keys[i]);
            if (v == null) {
                return false;
            }
            if (negated[i]) {
                if (v.equals(literals[i])) {
                    return false;
                }
            } else if (!test(v, slots[i], literals[i], vals, bind)) {
                return false;
            }
        }
        return true;
    }

    private static boolean test(String v, int slot, String literal, String[] vals, boolean bind) {
        if (slot == LITERAL) {
            return v.equals(literal);
        }
        if (vals == null) {
            return true;
        }
        String bound = vals[slot];
        if (bound == null) {
            if (bind) {
                vals[slot] = v;
            }
            return true;
        }
        return bound.equals(v);
    }
}
