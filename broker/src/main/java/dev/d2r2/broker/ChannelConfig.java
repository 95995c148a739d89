package dev.d2r2.broker;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A channel as operators write it (YAML config, CLI, the wire's control messages): flat, with
 * lower-case names. Absent fields take {@link ChannelClass#DEFAULT}'s values.
 *
 * <pre>
 * tag: alarms
 * ordering: total          # none | fifo | total
 * priority: 9              # 0..9, 9 most urgent
 * persistence: log         # none | log
 * fsync: always            # always | never | a duration such as 100ms
 * queue: 8192              # events queued per subscriber
 * overflow: drop-oldest    # block | drop-oldest | disconnect
 * faultModel: crash        # crash | byzantine
 * protection: HA           # SI | HA | PKS | PKE
 * durability: replicated   # local | replicated | forwarded (on a cluster; see Durability)
 * publishers: [monitor]    # identities, "*" = anyone registered
 * subscribers: ["*"]
 * </pre>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChannelConfig(String tag, String ordering, Integer priority, String persistence, String fsync,
                            Integer queue, String overflow, String faultModel, String protection,
                            List<String> publishers, List<String> subscribers, String durability) {

    public ChannelConfig {
        toSpec(tag, ordering, priority, persistence, fsync, queue, overflow, faultModel, protection,
                publishers, subscribers, durability);
    }

    /** A channel whose durability is the default ({@code local}). */
    public ChannelConfig(String tag, String ordering, Integer priority, String persistence, String fsync,
                         Integer queue, String overflow, String faultModel, String protection,
                         List<String> publishers, List<String> subscribers) {
        this(tag, ordering, priority, persistence, fsync, queue, overflow, faultModel, protection, publishers,
                subscribers, null);
    }

    public ChannelSpec toSpec() {
        return toSpec(tag, ordering, priority, persistence, fsync, queue, overflow, faultModel, protection,
                publishers, subscribers, durability);
    }

    private static ChannelSpec toSpec(String tag, String ordering, Integer priority, String persistence,
                                      String fsync, Integer queue, String overflow, String faultModel,
                                      String protection, List<String> publishers, List<String> subscribers,
                                      String durability) {
        if (tag == null) {
            throw new IllegalArgumentException("a channel needs a tag");
        }
        ChannelClass d = ChannelClass.DEFAULT;
        ChannelClass c = new ChannelClass(
                ordering == null ? d.ordering() : parse(Ordering.class, "ordering", ordering),
                priority == null ? d.priority() : priority,
                persistence == null ? d.persistence() : parse(Persistence.class, "persistence", persistence),
                fsync == null ? d.fsync() : FsyncPolicy.parse(fsync),
                queue == null ? d.queueCapacity() : queue,
                overflow == null ? d.overflow() : parse(OverflowPolicy.class, "overflow", overflow),
                faultModel == null ? d.faultModel() : parse(FaultModel.class, "faultModel", faultModel),
                protection == null ? d.protection() : parse(Protection.class, "protection", protection),
                durability == null ? d.durability() : parse(Durability.class, "durability", durability));
        return new ChannelSpec(tag, c, publishers == null ? Set.of() : Set.copyOf(publishers),
                subscribers == null ? Set.of() : Set.copyOf(subscribers));
    }

    public static ChannelConfig of(ChannelSpec spec) {
        ChannelClass c = spec.channelClass();
        return new ChannelConfig(spec.tag(), name(c.ordering()), c.priority(), name(c.persistence()),
                c.fsync().toString(), c.queueCapacity(), name(c.overflow()), name(c.faultModel()),
                c.protection().name(), spec.publishers().stream().sorted().toList(),
                spec.subscribers().stream().sorted().toList(),
                c.durability() == Durability.LOCAL ? null : name(c.durability()));
    }

    public static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static <E extends Enum<E>> E parse(Class<E> type, String what, String text) {
        String key = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(key)) {
                return e;
            }
        }
        List<String> names = java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> type == Protection.class ? e.name() : name(e)).toList();
        throw new IllegalArgumentException(what + " \"" + text + "\" is not one of " + names);
    }
}
