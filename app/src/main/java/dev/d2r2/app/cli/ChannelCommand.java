package dev.d2r2.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelConfig;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.cluster.command.ControlCommand;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code d2r2 channel create|alter|delete|list|show}. */
@Command(name = "channel", mixinStandardHelpOptions = true, description = "Manage the broker's channels.",
        subcommands = {ChannelCommand.Create.class, ChannelCommand.Alter.class, ChannelCommand.Delete.class,
                ChannelCommand.ListChannels.class,
                ChannelCommand.Show.class})
public final class ChannelCommand {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The channel class and access lists as options; absent options keep defaults (create) or current values (alter). */
    static final class ClassOptions {
        @Option(names = "--ordering", description = "none | fifo | total") String ordering;
        @Option(names = "--priority", description = "0..9, 9 delivered first") Integer priority;
        @Option(names = "--persistence", description = "none | log") String persistence;
        @Option(names = "--fsync", description = "always | never | a duration (100ms)") String fsync;
        @Option(names = "--queue", description = "events queued per subscriber") Integer queue;
        @Option(names = "--overflow", description = "block | drop-oldest | disconnect") String overflow;
        @Option(names = "--fault-model", description = "crash | byzantine") String faultModel;
        @Option(names = "--protection", description = "SI | HA | PKS | PKE") String protection;
        @Option(names = "--durability", description = "local | replicated | forwarded (on a cluster) | ordered (on a broker with --bft)") String durability;
        @Option(names = "--publishers", split = ",", description = "identities allowed to publish; * = all") List<String> publishers;
        @Option(names = "--subscribers", split = ",", description = "identities allowed to subscribe; * = all") List<String> subscribers;

        ChannelSpec over(String tag, ChannelConfig base) {
            return new ChannelConfig(tag, or(ordering, base.ordering()), or(priority, base.priority()),
                    or(persistence, base.persistence()), or(fsync, base.fsync()), or(queue, base.queue()),
                    or(overflow, base.overflow()), or(faultModel, base.faultModel()), or(protection, base.protection()),
                    or(publishers, base.publishers()), or(subscribers, base.subscribers()),
                    or(durability, base.durability())).toSpec();
        }

        private static <T> T or(T a, T b) {
            return a != null ? a : b;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a channel.")
    static final class Create implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "TAG") String tag;
        @Mixin SignOptions signing;
        @ArgGroup(exclusive = false) ClassOptions options = new ClassOptions();

        @Override
        public Integer call() throws IOException {
            ChannelSpec spec = options.over(tag, new ChannelConfig(tag, null, null, null, null, null, null, null, null,
                    null, null));
            try (BrokerClient c = client.connect()) {
                if (signing.signing()) {
                    signing.submit(c, ControlCommand.CreateChannel.fresh(spec));
                } else {
                    c.createChannel(spec);
                }
                System.out.println(JSON.writeValueAsString(ChannelConfig.of(c.channel(tag))));
            }
            return 0;
        }
    }

    @Command(name = "alter", mixinStandardHelpOptions = true, description = "Change a channel's class or access lists.")
    static final class Alter implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "TAG") String tag;
        @Mixin SignOptions signing;
        @ArgGroup(exclusive = false) ClassOptions options = new ClassOptions();

        @Override
        public Integer call() throws IOException {
            try (BrokerClient c = client.connect()) {
                ChannelSpec spec = options.over(tag, ChannelConfig.of(c.channel(tag)));
                if (signing.signing()) {
                    signing.submit(c, new ControlCommand.AlterChannel(spec));
                } else {
                    c.alterChannel(spec);
                }
                System.out.println(JSON.writeValueAsString(ChannelConfig.of(c.channel(tag))));
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a channel: its subscribers are told, its log stays on the broker's disk.")
    static final class Delete implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "TAG") String tag;
        @Mixin SignOptions signing;

        @Override
        public Integer call() throws IOException {
            try (BrokerClient c = client.connect()) {
                if (signing.signing()) {
                    signing.submit(c, new ControlCommand.DeleteChannel(tag));
                } else {
                    c.deleteChannel(tag);
                }
            }
            System.err.println("deleted channel " + tag);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List channels, one per line.")
    static final class ListChannels implements Callable<Integer> {
        @Mixin ClientOptions client;

        @Override
        public Integer call() throws IOException {
            try (BrokerClient c = client.connect()) {
                for (ChannelSpec s : c.channels()) {
                    var k = s.channelClass();
                    System.out.printf("%-24s %-5s p%d %-4s %-10s %s%n", s.tag(), ChannelConfig.name(k.ordering()),
                            k.priority(), ChannelConfig.name(k.persistence()), k.protection(),
                            ChannelConfig.name(k.overflow()));
                }
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one channel as JSON.")
    static final class Show implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "TAG") String tag;

        @Override
        public Integer call() throws IOException {
            try (BrokerClient c = client.connect()) {
                System.out.println(JSON.writeValueAsString(ChannelConfig.of(c.channel(tag))));
            }
            return 0;
        }
    }
}
