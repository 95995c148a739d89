package dev.d2r2.bft.net;

import dev.d2r2.bft.BlockHash;
import dev.d2r2.bft.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProgressFileTest {
    @TempDir
    Path dir;

    private static Progress progress(long height) {
        byte[] hash = new byte[BlockHash.BYTES];
        hash[0] = (byte) height;
        return new Progress(height, BlockHash.wrap(hash), new byte[]{0, 4, (byte) height, 9});
    }

    @Test
    void givesBackTheLastProgressSavedBesideTheSafetyFileAndNothingOnAFirstStart() throws IOException {
        Path path = ProgressFile.beside(dir.resolve("r1.bft-state"));
        assertThat(path).isEqualTo(dir.resolve("r1.bft-state.progress").toAbsolutePath());
        ProgressFile file = new ProgressFile(path);
        assertThat(file.load()).isNull();

        file.save(progress(7));
        file.save(progress(8));

        Progress back = new ProgressFile(path).load();
        assertThat(back.height()).isEqualTo(8);
        assertThat(back.block()).isEqualTo(progress(8).block());
        assertThat(back.applied()).isEqualTo(progress(8).applied());
        assertThat(dir.resolve("r1.bft-state.progress.tmp")).as("written aside, then renamed").doesNotExist();
    }

    @Test
    void refusesToStartFromADamagedFileRatherThanApplyCommandsTwice() throws IOException {
        Path path = dir.resolve("r2.progress");
        ProgressFile file = new ProgressFile(path);
        file.save(progress(5));
        byte[] bytes = Files.readAllBytes(path);
        bytes[20] ^= 1;
        Files.write(path, bytes);

        assertThatThrownBy(file::load).isInstanceOf(IOException.class)
                .hasMessageContaining(path.toString()).hasMessageContaining("checksum");
        Files.write(path, new byte[]{1, 2, 3});
        assertThatThrownBy(file::load).isInstanceOf(IOException.class).hasMessageContaining("refusing to start");
    }
}
