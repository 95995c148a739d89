package dev.d2r2.sip.edge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident memory as the kernel counts it ({@code VmRSS} in {@code /proc/self/status}). */
final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {
    }

    /** Resident bytes, or -1 where {@code /proc} does not tell (not Linux). */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring(6).strip();
                    return Long.parseLong(kb.substring(0, kb.indexOf(' '))) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
