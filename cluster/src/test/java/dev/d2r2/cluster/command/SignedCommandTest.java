package dev.d2r2.cluster.command;

import dev.d2r2.broker.security.Crypto;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The signed form of control commands: it reads back to the command, verifies only with its
 * signer's key and for its cluster, and no byte of it can change unnoticed.
 */
class SignedCommandTest {
    private static final KeyPair ROOT = Crypto.newSigningKeyPair();
    private static final KeyPair OTHER = Crypto.newSigningKeyPair();

    @Provide
    Arbitrary<ControlCommand> commands() {
        return Commands.commands();
    }

    @Property(tries = 100)
    void aSignedCommandDecodesToItselfAndVerifiesOnlyForItsSignerAndCluster(@ForAll("commands") ControlCommand command) throws Exception {
        byte[] bytes = SignedCommand.sign("g", "root", ROOT.getPrivate(), command);
        assertThat(SignedCommand.isSigned(bytes)).isTrue();
        SignedCommand s = SignedCommand.decode(bytes);
        assertThat(s.signer()).isEqualTo("root");
        assertThat(CommandCodec.encode(s.decodeCommand())).isEqualTo(CommandCodec.encode(command));
        assertThat(s.signedBy("g", ROOT.getPublic())).isTrue();
        assertThat(s.signedBy("g", OTHER.getPublic())).isFalse();
        assertThat(s.signedBy("h", ROOT.getPublic())).isFalse();
        assertThat(SignedCommand.sign("g", "root", ROOT.getPrivate(), command)).isNotEqualTo(bytes);
    }

    @Property(tries = 100)
    void anyChangedByteIsRefusedOrFailsTheSignature(@ForAll("commands") ControlCommand command,
                                                   @ForAll @IntRange(min = 0, max = 10_000) int at) {
        byte[] bytes = SignedCommand.sign("g", "root", ROOT.getPrivate(), command);
        byte[] changed = bytes.clone();
        int i = at % changed.length;
        changed[i] ^= 0x01;
        boolean verifies;
        try {
            SignedCommand s = SignedCommand.decode(changed);
            verifies = s.signer().equals("root") && s.signedBy("g", ROOT.getPublic());
        } catch (MalformedCommandException e) {
            verifies = false;
        }
        assertThat(verifies).as("byte %d changed", i).isFalse();
    }

    @Property(tries = 20)
    void eventsOfOrderedChannelsAreNeverTakenForSignedCommands(@ForAll @From("tags") String tag) {
        byte[] t = tag.getBytes(StandardCharsets.UTF_8);
        byte[] orderedCommand = new byte[2 + t.length + 1];
        orderedCommand[1] = (byte) t.length;
        assertThat(SignedCommand.isSigned(orderedCommand)).isFalse();
    }

    @Provide
    Arbitrary<String> tags() {
        return Commands.tags();
    }

    @Property(tries = 1)
    void truncatedOrPaddedBytesAreMalformed(@ForAll("commands") ControlCommand command) {
        byte[] bytes = SignedCommand.sign("g", "root", ROOT.getPrivate(), command);
        assertThatThrownBy(() -> SignedCommand.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(MalformedCommandException.class);
        assertThatThrownBy(() -> SignedCommand.decode(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(MalformedCommandException.class);
    }
}
