package dev.d2r2.cluster.command;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Ordering;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.security.Crypto;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.time.Duration;
import java.util.Set;

/** jqwik generators of valid control commands, shared by the codec and state tests. */
public final class Commands {
    private static final byte[] PUBLIC_KEY = Crypto.newSigningKeyPair().getPublic().getEncoded();

    private Commands() {
    }

    public static Arbitrary<String> names() {
        return Arbitraries.of("admin", "monitor", "policy", "sip-edge", "b1", "u@x", "a.b_c-d");
    }

    public static Arbitrary<String> tags() {
        return Arbitraries.of("alarms", "probes", "sip.calls", "x", "d2r2.system", "t-1");
    }

    static Arbitrary<byte[]> secrets() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40);
    }

    public static Arbitrary<ChannelSpec> specs() {
        Arbitrary<FsyncPolicy> fsync = Arbitraries.oneOf(Arbitraries.of(FsyncPolicy.ALWAYS, FsyncPolicy.NEVER),
                Arbitraries.longs().between(1, 10_000).map(ms -> FsyncPolicy.every(Duration.ofMillis(ms))));
        Arbitrary<ChannelClass> cls = Combinators.combine(Arbitraries.of(Ordering.class), Arbitraries.integers().between(0, 9),
                Arbitraries.of(Persistence.class), fsync, Arbitraries.integers().between(1, 1 << 24),
                Arbitraries.of(OverflowPolicy.class), Arbitraries.of(FaultModel.class), Arbitraries.of(Protection.class))
                .as(ChannelClass::new);
        Arbitrary<Set<String>> who = Arbitraries.oneOf(names(), Arbitraries.just(ChannelSpec.ANYONE)).set().ofMaxSize(4);
        return Combinators.combine(tags(), cls, who, who).as(ChannelSpec::new);
    }

    public static Arbitrary<ControlCommand> commands() {
        return Arbitraries.oneOf(
                Combinators.combine(names(), secrets(), Arbitraries.of(true, false), Arbitraries.of(true, false))
                        .as((n, s, signs, admin) -> new ControlCommand.AddIdentity(n, s, signs ? PUBLIC_KEY : null, admin)),
                names().map(ControlCommand.RevokeIdentity::new),
                Combinators.combine(specs(), secrets()).as(ControlCommand.CreateChannel::new),
                specs().map(ControlCommand.AlterChannel::new),
                tags().map(ControlCommand.DeleteChannel::new),
                Combinators.combine(tags(), Arbitraries.of(Right.class), names()).as(ControlCommand.Grant::new),
                Combinators.combine(tags(), Arbitraries.of(Right.class), names()).as(ControlCommand.RevokeRight::new),
                Combinators.combine(tags(), names(), names()).as(ControlCommand.RegisterSubscription::new),
                Combinators.combine(tags(), names(), names()).as(ControlCommand.DropSubscription::new));
    }
}
