package dev.d2r2.policy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An actuator: its {@code kind} ({@code log}, {@code webhook}, {@code command}) with that kind's
 * options (a webhook's {@code token-file} holds the bearer token it sends, relative to the
 * policy file), and its safety limits — at most {@code max-per-minute} new actions a minute, at most
 * {@code max-active} actions or {@code max-share} of its {@code population} (subjects or
 * backends) affected at once — and how failed deploys are retried.
 */
public record ActuatorConfig(String kind, String url, Map<String, String> headers,
                             @JsonProperty("token-file") String tokenFile, List<String> command,
                             Duration timeout,
                             @JsonProperty("max-per-minute") Integer maxPerMinute,
                             @JsonProperty("max-active") Integer maxActive,
                             @JsonProperty("max-share") Double maxShare,
                             Integer population,
                             @JsonProperty("retry-attempts") Integer retryAttempts,
                             @JsonProperty("retry-backoff") Duration retryBackoff) {
    public ActuatorConfig {
        if (kind == null || kind.isBlank()) {
            throw new InvalidAt("an actuator needs a kind (log, webhook, command)", "kind");
        }
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        command = command == null ? List.of() : List.copyOf(command);
        timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
        retryAttempts = retryAttempts == null ? 5 : retryAttempts;
        retryBackoff = retryBackoff == null ? Duration.ofSeconds(1) : retryBackoff;
        if (maxPerMinute != null && maxPerMinute < 1) {
            throw new InvalidAt("max-per-minute must be at least 1", "max-per-minute");
        }
        if (maxActive != null && maxActive < 1) {
            throw new InvalidAt("max-active must be at least 1", "max-active");
        }
        if (maxShare != null && !(maxShare > 0 && maxShare <= 1)) {
            throw new InvalidAt("max-share must be in (0, 1]", "max-share");
        }
        if (population != null && population < 1) {
            throw new InvalidAt("population must be at least 1", "population");
        }
        if (retryAttempts < 1) {
            throw new InvalidAt("retry-attempts must be at least 1 (the first try counts)", "retry-attempts");
        }
        if (retryBackoff.isNegative() || retryBackoff.isZero()) {
            throw new InvalidAt("retry-backoff must be positive", "retry-backoff");
        }
        if (tokenFile != null && tokenFile.isBlank()) {
            throw new InvalidAt("token-file must name a file", "token-file");
        }
    }

    /** This configuration with a relative {@code token-file} taken from {@code base}. */
    public ActuatorConfig resolvedAgainst(Path base) {
        return tokenFile == null ? this : new ActuatorConfig(kind, url, headers, base.resolve(tokenFile).toString(), command, timeout,
                maxPerMinute, maxActive, maxShare, population, retryAttempts, retryBackoff);
    }
}
