package dev.d2r2.bft.net;

import dev.d2r2.bft.BlockHash;
import dev.d2r2.bft.Phase;
import dev.d2r2.bft.QuorumCert;
import dev.d2r2.bft.SafetyState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetyFileTest {
    @TempDir
    Path dir;

    private static SafetyState state(long view) {
        byte[] hash = new byte[BlockHash.BYTES];
        hash[0] = (byte) view;
        QuorumCert lock = new QuorumCert(view, Phase.PRE_COMMIT, BlockHash.wrap(hash), new int[]{0, 2, 3},
                new byte[][]{{1, 2}, {3}, {4, 5, 6}});
        return new SafetyState(new long[]{view, view, view - 1}, lock);
    }

    @Test
    void givesBackTheLastStateSavedAndNothingOnAFirstStart() throws IOException {
        SafetyFile file = new SafetyFile(dir.resolve("r1.safety"));
        assertThat(file.load()).isNull();

        file.save(state(7));
        file.save(state(9));

        assertThat(new SafetyFile(dir.resolve("r1.safety")).load()).isEqualTo(state(9));
        assertThat(dir.resolve("r1.safety.tmp")).as("written aside, then renamed").doesNotExist();
    }

    @Test
    void refusesToStartFromADamagedFileRatherThanForgetItsVotes() throws IOException {
        Path path = dir.resolve("r2.safety");
        SafetyFile file = new SafetyFile(path);
        file.save(state(5));
        byte[] bytes = Files.readAllBytes(path);
        bytes[12] ^= 1;
        Files.write(path, bytes);

        assertThatThrownBy(file::load).isInstanceOf(IOException.class)
                .hasMessageContaining(path.toString()).hasMessageContaining("checksum");
        Files.write(path, new byte[]{1, 2, 3});
        assertThatThrownBy(file::load).isInstanceOf(IOException.class).hasMessageContaining("refusing to start");
    }
}
