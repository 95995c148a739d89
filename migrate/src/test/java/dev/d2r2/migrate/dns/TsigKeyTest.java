package dev.d2r2.migrate.dns;

import dev.d2r2.core.testing.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TsigKeyTest {
    @TempDir
    Path dir;

    @Test
    void readsWhatKeymgrPrints() throws Exception {
        Peers.require(Path.of("/usr/sbin/keymgr"), "knot");
        Path file = dir.resolve("k.key");
        Process p = new ProcessBuilder("keymgr", "-t", "takeover.key", "hmac-sha256").redirectOutput(file.toFile()).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String secret = Files.readAllLines(file).stream().filter(l -> l.strip().startsWith("secret:")).findFirst()
                .orElseThrow().strip().substring(7).strip();
        TsigKey key = TsigKey.load(file);
        assertThat(key.name()).isEqualTo("takeover.key");
        assertThat(key.secret()).isEqualTo(java.util.Base64.getDecoder().decode(secret));
    }

    @Test
    void readsTheKdigForm() throws Exception {
        Path file = Files.writeString(dir.resolve("k.key"), "hmac-sha256:takeover.:c2VjcmV0\n");
        TsigKey key = TsigKey.load(file);
        assertThat(key.name()).isEqualTo("takeover");
        assertThat(new String(key.secret(), StandardCharsets.US_ASCII)).isEqualTo("secret");
    }

    @Test
    void mistakesAreRefusedAtTheirLine() throws Exception {
        Path md5 = Files.writeString(dir.resolve("md5.key"), "hmac-md5:k:c2VjcmV0\n");
        assertThatThrownBy(() -> TsigKey.load(md5)).hasMessageContaining("only hmac-sha256 keys are supported, not hmac-md5");
        Path base64 = Files.writeString(dir.resolve("b.key"), "key:\n  - id: k\n    secret: not*base64\n");
        assertThatThrownBy(() -> TsigKey.load(base64)).hasMessageContaining("b.key:3:1: bad TSIG key");
        Path empty = Files.writeString(dir.resolve("e.key"), "# nothing\n");
        assertThatThrownBy(() -> TsigKey.load(empty)).hasMessageContaining("e.key:1:1: the key file names no key");
    }
}
