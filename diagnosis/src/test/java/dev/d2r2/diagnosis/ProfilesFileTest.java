package dev.d2r2.diagnosis;

import dev.d2r2.core.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProfilesFileTest {
    @TempDir
    Path dir;

    private Profiles trained() {
        return Trainer.train(new Synthetic(4, 7, 0.03).samples(30, -1, 0), Synthetic.request(3)).profiles();
    }

    @Test
    void roundTripsWhatTrainingWrote() throws Exception {
        Profiles p = trained();
        Path f = dir.resolve("profiles.json");
        ProfilesFile.write(p, f);
        Profiles back = ProfilesFile.load(f, Synthetic.METRICS);
        assertThat(back.metrics()).isEqualTo(p.metrics());
        assertThat(back.threshold()).isEqualTo(p.threshold());
        assertThat(back.centroids()).isDeepEqualTo(p.centroids());
        assertThat(back.vote()).isEqualTo(p.vote());
        assertThat(back.held()).isEqualTo(p.held());
        assertThat(back.spread()).isEqualTo(p.spread());
    }

    /** A trained profiles file whose array {@code key} is replaced by {@code replacement} (empty: the key is left out). */
    private Path trainedWith(String key, String replacement) throws Exception {
        Path f = dir.resolve("profiles.json");
        ProfilesFile.write(trained(), f);
        String json = Files.readString(f).replaceAll("\"" + key + "\"\\s*:\\s*\\[[^]]*],\\s*", replacement);
        assertThat(json).contains(replacement);
        assertThat(json.contains(key)).isEqualTo(!replacement.isEmpty());
        Files.writeString(f, json);
        return f;
    }

    @Test
    void aFileWrittenBeforeHeldMetricsHoldsNone() throws Exception {
        assertThat(ProfilesFile.load(trainedWith("held", ""), Synthetic.METRICS).held()).containsExactly(false, false, false);
    }

    @Test
    void aFileWrittenBeforePairwiseSpreadsMeasuresEffectsInNormalisedUnits() throws Exception {
        assertThat(ProfilesFile.load(trainedWith("pairwise-spread", ""), Synthetic.METRICS).spread()).containsExactly(1.0, 1.0, 1.0);
    }

    @Test
    void aSpreadUnderOneUnitIsAnErrorAtItsKey() throws Exception {
        Path f = trainedWith("pairwise-spread", "\"pairwise-spread\" : [ 1.0, 0.5, 1.0 ], ");
        assertThatThrownBy(() -> ProfilesFile.load(f, Synthetic.METRICS)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("pairwise-spread").hasMessageContaining("0.5");
    }

    @Test
    void aMetricSetThatDoesNotMatchIsAnErrorAtTheMetricsKey() throws Exception {
        Path f = dir.resolve("profiles.json");
        ProfilesFile.write(trained(), f);
        int line = Files.readAllLines(f).indexOf(Files.readAllLines(f).stream().filter(l -> l.contains("\"metrics\"")).findFirst().orElseThrow()) + 1;
        assertThatThrownBy(() -> ProfilesFile.load(f, List.of("os.cpu_user_pct", "os.rss_bytes")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ":" + line + ":3: key metrics:")
                .hasMessageContaining("train again");
    }

    @Test
    void aBrokenFileIsAnErrorWithItsPlace() throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\n  \"metrics\": [\"os.a\"],\n  \"window-ms\": -5\n}\n");
        assertThatThrownBy(() -> ProfilesFile.load(f, null)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ":").hasMessageContaining("key window-ms: window-ms must be positive");
        Files.writeString(f, "{\n  \"metrics\": [\"os.a\"],\n");
        assertThatThrownBy(() -> ProfilesFile.load(f, null)).isInstanceOf(ConfigException.class).hasMessageStartingWith(f + ":");
    }
}
