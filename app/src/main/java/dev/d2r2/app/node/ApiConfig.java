package dev.d2r2.app.node;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.sip.edge.AllowList;
import dev.d2r2.sip.edge.ApiLimits;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The edge's HTTP API ({@code api} in {@link EdgeConfig}): where it listens, the file of the
 * bearer token every change needs, and what it accepts (see docs/sip-edge.md#the-http-api).
 * {@code api: HOST:PORT} is short for {@code api: {listen: HOST:PORT}}: an API that takes no
 * changes.
 *
 * <pre>
 * api:
 *   listen: 127.0.0.1:8090          # default; reads are open only on a loopback address
 *   token-file: edge-api.token      # created (0600, 256 random bits) when missing; none: no changes
 *   allow: [192.0.2.10, sip:noc@example.com]   # never blocked nor limited (d2r2 run adds the policy's safety.allow)
 *   min-prefix-v4: 16               # no IPv4 block wider than a /16
 *   min-prefix-v6: 48
 *   max-duration: 24h               # a block or limit ends within this; one without an end is cut to it
 *   max-body-bytes: 16384
 * </pre>
 */
public record ApiConfig(String listen, @JsonProperty("token-file") String tokenFile, List<String> allow,
                        @JsonProperty("min-prefix-v4") Integer minPrefixV4, @JsonProperty("min-prefix-v6") Integer minPrefixV6,
                        @JsonProperty("max-duration") Duration maxDuration, @JsonProperty("max-body-bytes") Integer maxBodyBytes) {
    public static final String DEFAULT_LISTEN = "127.0.0.1:8090";

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public ApiConfig {
        listen = listen == null ? DEFAULT_LISTEN : listen;
        try {
            HostPort.parse(listen);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), "listen");
        }
        allow = allow == null ? List.of() : List.copyOf(allow);
        minPrefixV4 = minPrefixV4 == null ? ApiLimits.DEFAULT_MIN_PREFIX_V4 : minPrefixV4;
        minPrefixV6 = minPrefixV6 == null ? ApiLimits.DEFAULT_MIN_PREFIX_V6 : minPrefixV6;
        maxDuration = maxDuration == null ? ApiLimits.DEFAULT_MAX_DURATION : maxDuration;
        maxBodyBytes = maxBodyBytes == null ? ApiLimits.DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
        if (tokenFile != null && tokenFile.isBlank()) {
            throw new InvalidAt("token-file must name a file", "token-file");
        }
        for (int i = 0; i < allow.size(); i++) {
            try {
                AllowList.of(List.of(allow.get(i)));
            } catch (IllegalArgumentException e) {
                throw new InvalidAt(e.getMessage(), "allow", i);
            }
        }
        try {
            new ApiLimits(minPrefixV4, minPrefixV6, maxDuration, maxBodyBytes, AllowList.NONE);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), e.getMessage().substring(0, e.getMessage().indexOf(' ')));
        }
    }

    /** {@code api: HOST:PORT}: the API there, taking no changes. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ApiConfig listening(String listen) {
        return new ApiConfig(listen, null, null, null, null, null, null);
    }

    /** The limits, with a policy's {@code safety.allow} entries allowed besides this configuration's {@code allow}. */
    public ApiLimits limits(List<String> policyAllow) {
        return new ApiLimits(minPrefixV4, minPrefixV6, maxDuration, maxBodyBytes, AllowList.of(allow).and(AllowList.ofPolicy(policyAllow)));
    }

    /** This configuration with a relative {@code token-file} taken from {@code base}. */
    public ApiConfig resolvedAgainst(Path base) {
        return tokenFile == null ? this : new ApiConfig(listen, base.resolve(tokenFile).toString(), allow, minPrefixV4, minPrefixV6,
                maxDuration, maxBodyBytes);
    }

    public ApiConfig withTokenFile(String file) {
        return new ApiConfig(listen, file, allow, minPrefixV4, minPrefixV6, maxDuration, maxBodyBytes);
    }

    public ApiConfig withListen(String hostPort) {
        return new ApiConfig(hostPort, tokenFile, allow, minPrefixV4, minPrefixV6, maxDuration, maxBodyBytes);
    }
}
