package dev.d2r2.broker;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One row of the control table: a channel's tag, its class, and who may publish and subscribe.
 * {@code "*"} in a set stands for every registered identity.
 */
public record ChannelSpec(String tag, ChannelClass channelClass, Set<String> publishers, Set<String> subscribers) {
    public static final String ANYONE = "*";
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,199}");

    public ChannelSpec {
        validateTag(tag);
        Objects.requireNonNull(channelClass, "channelClass");
        publishers = Set.copyOf(publishers == null ? Set.of() : publishers);
        subscribers = Set.copyOf(subscribers == null ? Set.of() : subscribers);
    }

    public static void validateTag(String tag) {
        Objects.requireNonNull(tag, "tag");
        if (!TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("channel tag \"" + tag
                    + "\" must be 1-200 characters of letters, digits, '_', '.', '-'");
        }
    }

    public boolean mayPublish(String identity) {
        return publishers.contains(identity) || publishers.contains(ANYONE);
    }

    public boolean maySubscribe(String identity) {
        return subscribers.contains(identity) || subscribers.contains(ANYONE);
    }
}
