package dev.d2r2.core.config;

import java.util.List;

/**
 * A validation error about a value inside the record being built: {@code path} (field names and
 * list indexes) leads from that record to the value, so the error points at the value's own line
 * instead of the record's. For checks that need a whole document, such as cross-references.
 */
public final class InvalidAt extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient List<Object> path;

    public InvalidAt(String message, Object... path) {
        super(message);
        this.path = List.of(path);
    }

    public List<Object> path() {
        return path;
    }
}
