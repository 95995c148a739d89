package dev.d2r2.cluster.command;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandCodecTest {

    @Provide
    Arbitrary<ControlCommand> commands() {
        return Commands.commands();
    }

    @Property
    void everyCommandRoundTrips(@ForAll("commands") ControlCommand command) throws Exception {
        byte[] bytes = CommandCodec.encode(command);
        ControlCommand back = CommandCodec.decode(bytes);
        assertThat(back).usingRecursiveComparison().isEqualTo(command);
        assertThat(CommandCodec.encode(back)).isEqualTo(bytes);
    }

    @Property
    void everyStrictPrefixIsRefused(@ForAll("commands") ControlCommand command) {
        byte[] bytes = CommandCodec.encode(command);
        for (int n = 0; n < bytes.length; n++) {
            byte[] prefix = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> CommandCodec.decode(prefix)).isInstanceOf(MalformedCommandException.class);
        }
    }

    @Property
    void trailingBytesAreRefused(@ForAll("commands") ControlCommand command) {
        byte[] bytes = Arrays.copyOf(CommandCodec.encode(command), CommandCodec.encode(command).length + 1);
        assertThatThrownBy(() -> CommandCodec.decode(bytes)).isInstanceOf(MalformedCommandException.class)
                .hasMessageContaining("left over");
    }

    /** Whatever the bytes, decoding refuses them cleanly or accepts exactly their canonical form. */
    @Property(tries = 3000)
    void arbitraryBytesAreRefusedOrCanonical(@ForAll("mutated") byte[] bytes) {
        ControlCommand c;
        try {
            c = CommandCodec.decode(bytes);
        } catch (MalformedCommandException e) {
            assertThat(e).hasMessageStartingWith("control command malformed at byte ");
            return;
        }
        assertThat(CommandCodec.encode(c)).isEqualTo(bytes);
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<byte[]> flipped = Arbitraries.integers().between(0, 1 << 20).flatMap(seed ->
                Commands.commands().map(c -> {
                    byte[] b = CommandCodec.encode(c);
                    b[seed % b.length] ^= (byte) (1 + seed % 255);
                    return b;
                }));
        return Arbitraries.oneOf(random, flipped);
    }

    @Test
    void setsEncodeTheSameWhateverTheirInsertionOrder() {
        Set<String> ab = new LinkedHashSet<>(List.of("monitor", "policy", "*"));
        Set<String> ba = new LinkedHashSet<>(List.of("*", "policy", "monitor"));
        byte[] one = CommandCodec.encode(new ControlCommand.AlterChannel(new ChannelSpec("alarms", ChannelClass.DEFAULT, ab, ba)));
        byte[] two = CommandCodec.encode(new ControlCommand.AlterChannel(new ChannelSpec("alarms", ChannelClass.DEFAULT, ba, ab)));
        assertThat(one).isEqualTo(two);
    }

    @Test
    void unknownTagAndVersionAreNamed() {
        assertThatThrownBy(() -> CommandCodec.decode(new byte[] {1, 42})).isInstanceOf(MalformedCommandException.class)
                .hasMessageContaining("unknown command tag 42");
        assertThatThrownBy(() -> CommandCodec.decode(new byte[] {9, 1})).isInstanceOf(MalformedCommandException.class)
                .hasMessageContaining("version 9");
    }

    @Test
    void unsortedSetIsRefused() {
        byte[] sorted = CommandCodec.encode(new ControlCommand.AlterChannel(
                new ChannelSpec("t", ChannelClass.DEFAULT, Set.of("aa", "bb"), Set.of())));
        byte[] swapped = sorted.clone();
        int at = indexOf(swapped, "aa".getBytes());
        swapped[at] = 'b';
        swapped[at + 1] = 'b';
        swapped[at + 4] = 'a';
        swapped[at + 5] = 'a';
        assertThatThrownBy(() -> CommandCodec.decode(swapped)).isInstanceOf(MalformedCommandException.class)
                .hasMessageContaining("ascending order");
    }

    @Test
    void invalidNameInsideIsMalformedNotACrash() {
        byte[] ok = CommandCodec.encode(new ControlCommand.RevokeIdentity("bob"));
        byte[] bad = ok.clone();
        bad[bad.length - 1] = ' ';
        assertThatThrownBy(() -> CommandCodec.decode(bad)).isInstanceOf(MalformedCommandException.class)
                .hasMessageContaining("identity name");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
