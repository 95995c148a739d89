package dev.d2r2.tunnel.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.tunnel.wire.TunnelIdentity;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Where a DN reports the ENs it carries (its {@code esr:} block): the edge service router's
 * address, the tunnel id the reports are sealed under (the ESR's {@code tunnel}), the ESR's tunnel
 * public key ({@code d2r2 tunnel pubkey} of its identity: the reports' key is the DN's and the ESR's),
 * and how often the whole report is sent again when nothing changed.
 *
 * <pre>
 * esr: {address: 10.3.1.1:4790, tunnel: 901, public-key: 3b6a..., report-every: 200ms}
 * </pre>
 */
public record EsrLink(String address, Integer tunnel, @JsonProperty("public-key") String publicKey,
                      @JsonProperty("report-every") Duration reportEvery) {
    public EsrLink {
        NodeChecks.required(address, "esr", "address");
        try {
            HostPort.parse(address);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), "esr", "address");
        }
        if (tunnel == null || tunnel == 0) {
            throw new InvalidAt("a non-zero tunnel id is required (the ESR's tunnel)", "esr", "tunnel");
        }
        NodeChecks.required(publicKey, "esr", "public-key");
        try {
            TunnelIdentity.parsePublic(publicKey);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), "esr", "public-key");
        }
        if (reportEvery != null && (reportEvery.isNegative() || reportEvery.toMillis() < 10)) {
            throw new InvalidAt("at least 10ms", "esr", "report-every");
        }
    }

    InetSocketAddress endpoint() {
        return HostPort.parse(address);
    }

    long reportEveryMillis() {
        return reportEvery == null ? 200 : reportEvery.toMillis();
    }
}
