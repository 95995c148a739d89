package dev.d2r2.tunnel.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;

/**
 * A DN failure detector's configuration ({@code d2r2 tunnel dnfd --config F}).
 *
 * <pre>
 * name: fd1
 * tunnel: 900                # its own tunnel id: it greets each DN as a secondary EN would
 * identity: fd1.identity     # its d2r2 identity file, relative to this file: its keys with each DN
 * address: 10.77.255.1       # its tunnel address: accepted by every watched DN, assigned to no EN
 * listen: 0.0.0.0:0
 * watch:
 *   - {name: dn1, address: 10.1.1.2:4789, public-key: 5c2f...}   # the DN's tunnel public key (d2r2 tunnel pubkey)
 * probe-every: 100ms         # one data-path probe per DN
 * suspect-after: 5           # probes lost in a row while BFD is Up: suspected for data
 * hello-every: 200ms
 * bfd: {tx: 50ms, rx: 50ms, multiplier: 5}
 * api: 127.0.0.1:7391        # optional: the fence API the policy engine's webhook actuator calls
 * api-token: fence.token     # its bearer token file, relative to this file (created when missing)
 * status-every: 10s          # its tunnel.status event (role dnfd): frames received, and dropped by reason
 * </pre>
 */
public record DnfdConfig(String name, Integer tunnel, String identity, String address, String listen, List<DnRef> watch,
                         @JsonProperty("probe-every") Duration probeEvery, @JsonProperty("suspect-after") Integer suspectAfter,
                         @JsonProperty("hello-every") Duration helloEvery, BfdConfig bfd, String api,
                         @JsonProperty("api-token") String apiToken, @JsonProperty("status-every") Duration statusEvery) {
    public DnfdConfig {
        NodeChecks.name(name);
        if (tunnel == null || tunnel == 0) {
            throw new InvalidAt("a non-zero tunnel id is required", "tunnel");
        }
        NodeChecks.required(identity, "identity");
        NodeChecks.ipv4Cidr(address == null ? null : address + "/32", "address");
        if (listen != null) {
            NodeChecks.hostPort(listen, "listen");
        }
        if (watch == null || watch.isEmpty()) {
            throw new InvalidAt("at least one DN to watch is required", "watch");
        }
        var names = new HashSet<String>();
        for (int i = 0; i < watch.size(); i++) {
            if (!names.add(watch.get(i).name())) {
                throw new InvalidAt("DN name " + watch.get(i).name() + " is used twice", "watch", i, "name");
            }
            NodeChecks.required(watch.get(i).publicKey(), "watch", i, "public-key");
        }
        watch = List.copyOf(watch);
        NodeChecks.positive(probeEvery, "probe-every");
        if (suspectAfter != null && (suspectAfter < 1 || suspectAfter > 1000)) {
            throw new InvalidAt("between 1 and 1000 probes", "suspect-after");
        }
        NodeChecks.positive(helloEvery, "hello-every");
        bfd = bfd == null ? BfdConfig.DEFAULTS : bfd;
        NodeChecks.positive(statusEvery, "status-every");
        if (api != null) {
            NodeChecks.hostPort(api, "api");
            NodeChecks.required(apiToken, "api-token");
        }
    }

    int addressBits() {
        return Ipv4.of(dev.d2r2.core.Cidr.parse(address + "/32").address());
    }

    String listenOrDefault() {
        return listen == null ? "0.0.0.0:0" : listen;
    }

    long probeEveryMillis() {
        return probeEvery == null ? 100 : probeEvery.toMillis();
    }

    int suspectAfterOrDefault() {
        return suspectAfter == null ? 5 : suspectAfter;
    }

    long statusEveryMillis() {
        return statusEvery == null ? 10_000 : statusEvery.toMillis();
    }

    long helloEveryMillis() {
        return helloEvery == null ? 200 : helloEvery.toMillis();
    }
}
