package dev.d2r2.chronicle.lang;

import java.util.List;
import java.util.stream.Collectors;

/** A chronicle set that cannot be used, with every error found (and the warnings). */
public final class ChronicleException extends Exception {
    private final List<Diagnostic> diagnostics;

    public ChronicleException(List<Diagnostic> diagnostics) {
        super(diagnostics.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR)
                .map(Diagnostic::format).collect(Collectors.joining("\n")));
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
