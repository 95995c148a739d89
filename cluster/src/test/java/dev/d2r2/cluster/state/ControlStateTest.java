package dev.d2r2.cluster.state;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.cluster.command.Commands;
import dev.d2r2.cluster.command.ControlCommand;
import dev.d2r2.cluster.command.ControlCommand.AddIdentity;
import dev.d2r2.cluster.command.ControlCommand.AlterChannel;
import dev.d2r2.cluster.command.ControlCommand.CreateChannel;
import dev.d2r2.cluster.command.ControlCommand.Grant;
import dev.d2r2.cluster.command.ControlCommand.RegisterSubscription;
import dev.d2r2.cluster.command.ControlCommand.RevokeIdentity;
import dev.d2r2.cluster.command.MalformedCommandException;
import dev.d2r2.cluster.command.Right;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlStateTest {
    private static final byte[] KEY = {1, 2, 3};

    @Provide
    Arbitrary<List<ControlCommand>> logs() {
        return Commands.commands().list().ofMaxSize(60);
    }

    @Property(tries = 300)
    void snapshotRoundTripsToTheSameBytesAndDigest(@ForAll("logs") List<ControlCommand> log) throws Exception {
        ControlState s = new ControlState();
        log.forEach(s::apply);
        byte[] bytes = s.encode();
        ControlState back = ControlState.decode(bytes);
        assertThat(back.encode()).isEqualTo(bytes);
        assertThat(back.digest()).isEqualTo(s.digest());
    }

    @Property(tries = 300)
    void replayingTheSameLogGivesTheSameDigestAndResults(@ForAll("logs") List<ControlCommand> log) {
        ControlState a = new ControlState();
        ControlState b = new ControlState();
        for (ControlCommand c : log) {
            assertThat(b.apply(c)).isEqualTo(a.apply(c));
        }
        assertThat(b.digest()).isEqualTo(a.digest());
    }

    @Property(tries = 2000)
    void arbitrarySnapshotBytesAreRefusedOrCanonical(@ForAll byte[] bytes) {
        try {
            assertThat(ControlState.decode(bytes).encode()).isEqualTo(bytes);
        } catch (MalformedCommandException e) {
            assertThat(e).hasMessageStartingWith("control state malformed");
        }
    }

    /** The same rows and rights, put into maps and sets in different orders, give the same bytes. */
    @Test
    void insertionOrderDoesNotChangeTheBytes() {
        List<String> ids = new ArrayList<>(List.of("zed", "amy", "monitor", "policy", "b1"));
        List<String> tags = new ArrayList<>(List.of("probes", "alarms", "x.y", "calls"));
        String first = null;
        Random random = new Random(17);
        for (int round = 0; round < 5; round++) {
            Collections.shuffle(ids, random);
            Collections.shuffle(tags, random);
            ControlState s = new ControlState();
            ids.forEach(id -> s.apply(new AddIdentity(id, KEY, null, false)));
            for (String tag : tags) {
                Set<String> subs = new LinkedHashSet<>(ids);
                s.apply(new CreateChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, new LinkedHashSet<>(ids), subs), KEY));
            }
            ids.forEach(id -> tags.forEach(tag -> s.apply(new RegisterSubscription(tag, id, "main"))));
            String digest = s.digest();
            first = first == null ? digest : first;
            assertThat(digest).isEqualTo(first);
        }
    }

    @Test
    void refusalsAreResultsNotExceptions() {
        ControlState s = new ControlState();
        assertThat(s.apply(new AddIdentity("bob", KEY, null, false)).applied()).isTrue();
        assertThat(s.apply(new AddIdentity("bob", KEY, null, false))).satisfies(r -> {
            assertThat(r.applied()).isFalse();
            assertThat(r.message()).isEqualTo("identity bob already exists");
        });
        assertThat(s.apply(new Grant("nope", Right.PUBLISH, "bob")).message()).isEqualTo("no channel nope");
        s.apply(new CreateChannel(new ChannelSpec("alarms", ChannelClass.DEFAULT, Set.of(), Set.of()), KEY));
        assertThat(s.apply(new RegisterSubscription("alarms", "bob", "main")).message())
                .isEqualTo("bob may not subscribe to channel alarms");
        assertThat(s.apply(new Grant("alarms", Right.SUBSCRIBE, "carol")).message()).isEqualTo("no identity carol");
        ChannelClass logged = ChannelClass.DEFAULT.withPersistence(dev.d2r2.broker.Persistence.LOG, dev.d2r2.broker.FsyncPolicy.NEVER);
        assertThat(s.apply(new AlterChannel(new ChannelSpec("alarms", logged, Set.of(), Set.of()))).message())
                .startsWith("channel alarms: persistence and durability cannot be altered");
        s.apply(new CreateChannel(new ChannelSpec("orders", logged, Set.of(), Set.of()), KEY));
        assertThat(s.apply(new AlterChannel(new ChannelSpec("orders",
                logged.withDurability(dev.d2r2.broker.Durability.REPLICATED), Set.of(), Set.of()))).applied()).isFalse();
    }

    @Test
    void revokingAnIdentityRemovesItsRightsAndSubscriptions() {
        ControlState s = new ControlState();
        s.apply(new AddIdentity("bob", KEY, null, false));
        s.apply(new CreateChannel(new ChannelSpec("alarms", ChannelClass.DEFAULT, Set.of(), Set.of()), KEY));
        s.apply(new Grant("alarms", Right.SUBSCRIBE, "bob"));
        s.apply(new Grant("alarms", Right.PUBLISH, "bob"));
        assertThat(s.apply(new RegisterSubscription("alarms", "bob", "main")).applied()).isTrue();
        assertThat(s.apply(new RevokeIdentity("bob")).applied()).isTrue();
        ChannelSpec spec = s.channels().get("alarms").spec();
        assertThat(spec.publishers()).isEmpty();
        assertThat(spec.subscribers()).isEmpty();
        assertThat(s.subscriptions()).isEmpty();
    }

    @Test
    void outOfOrderSnapshotIsRefused() throws Exception {
        ControlState s = new ControlState();
        s.apply(new AddIdentity("aa", KEY, null, false));
        s.apply(new AddIdentity("bb", KEY, null, false));
        byte[] bytes = s.encode();
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] swapped = text.replace("aa", "XX").replace("bb", "aa").replace("XX", "bb")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> ControlState.decode(swapped)).isInstanceOf(MalformedCommandException.class)
                .hasMessageContaining("ascending order");
        assertThat(ControlState.decode(bytes).identities()).containsOnlyKeys("aa", "bb");
    }
}
