package dev.d2r2.broker.server;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.util.Locale;

import javax.net.ssl.SSLHandshakeException;

/** Names why a TLS handshake failed, for {@code d2r2_broker_tls_handshake_failures_total{reason}}. */
final class TlsRefusal {
    private TlsRefusal() {
    }

    /** One of {@code not_tls}, {@code protocol_version}, {@code no_common_cipher}, {@code certificate}, {@code closed}, {@code other}. */
    static String reason(IOException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (m.contains("unrecognized ssl message") || m.contains("plaintext")) {
            return "not_tls";
        }
        if (m.contains("protocol") && (m.contains("version") || m.contains("not enabled") || m.contains("not supported"))) {
            return "protocol_version";
        }
        if (m.contains("cipher suites in common") || m.contains("no appropriate cipher") || m.contains("no negotiable cipher")) {
            return "no_common_cipher";
        }
        if (m.contains("certificate")) {
            return "certificate";
        }
        if (e instanceof EOFException || e instanceof SocketException || m.contains("terminated the handshake")
                || m.contains("connection reset") || (e instanceof SSLHandshakeException && m.contains("closed"))) {
            return "closed";
        }
        return "other";
    }
}
