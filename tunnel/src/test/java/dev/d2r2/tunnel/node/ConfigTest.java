package dev.d2r2.tunnel.node;

import dev.d2r2.core.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {
    private static final String EN = """
            name: en1
            tunnel: 1
            key: tunnel.key
            device: d2r2-tun-en
            dns:
              - {name: dn1, address: 10.1.1.2:4789}
              - {name: dn2, address: 10.1.2.2:4789}
            routes: [10.99.0.0/24]
            """;
    private static final String UPLINKS = """
            uplinks:
              - {name: up1, local: 10.81.1.1:0}
              - {name: up2, local: 10.81.2.1:0, penalty: 20}
            """;

    @Test
    void aGoodEnConfigTakesTheDefaults(@TempDir Path dir) throws Exception {
        EnConfig c = TunnelNode.loadEn(write(dir, "en.yaml", EN));
        assertThat(c.dns()).extracting(DnRef::name).containsExactly("dn1", "dn2");
        assertThat(c.bfd().timers().tx()).isEqualTo(Duration.ofMillis(10));
        assertThat(c.bfd().timers().multiplier()).isEqualTo(3);
        assertThat(c.mtuOrDefault()).isEqualTo(1400);
    }

    @Test
    void anUnknownKeyIsNamedWithItsLineAndColumn(@TempDir Path dir) throws Exception {
        Path f = write(dir, "en.yaml", EN + "colour: blue\n");
        assertThatThrownBy(() -> TunnelNode.loadEn(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("en.yaml:9:1").hasMessageContaining("unknown key \"colour\"");
    }

    @Test
    void aRouteThatIsNotACidrIsReportedAtItsListEntry(@TempDir Path dir) throws Exception {
        Path f = write(dir, "en.yaml", EN.replace("[10.99.0.0/24]", "[10.99.0.0/24, 10.99.0.1/24]"));
        assertThatThrownBy(() -> TunnelNode.loadEn(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("en.yaml:8:").hasMessageContaining("routes[1]").hasMessageContaining("bits set past");
    }

    @Test
    void uplinksTakeTheMultipathDefaultsOfTunnelMh(@TempDir Path dir) throws Exception {
        EnConfig c = TunnelNode.loadEn(write(dir, "en.yaml", EN + UPLINKS));
        assertThat(c.uplinks()).extracting(Uplink::name).containsExactly("up1", "up2");
        assertThat(c.uplinks().get(1).penaltyOrZero()).isEqualTo(20);
        assertThat(c.multipath().selectorMode().key()).isEqualTo("primary-backup");
        assertThat(c.multipath().probe().downAfter()).isEqualTo(Duration.ofMillis(60));
        assertThat(c.multipath().hysteresis().hold()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void badUplinksAreNamedWithTheirLineAndColumn(@TempDir Path dir) throws Exception {
        Path one = write(dir, "one.yaml", EN + "uplinks:\n  - {name: up1, local: 10.81.1.1:0}\n");
        assertThatThrownBy(() -> TunnelNode.loadEn(one)).hasMessageContaining("one.yaml:9:1").hasMessageContaining("two to 64 uplinks");
        Path twice = write(dir, "twice.yaml", EN + UPLINKS.replace("up2", "up1"));
        assertThatThrownBy(() -> TunnelNode.loadEn(twice)).hasMessageContaining("twice.yaml:11:6").hasMessageContaining("uplinks[1].name: uplink name up1 is used twice");
        Path both = write(dir, "both.yaml", EN + "listen: 0.0.0.0:0\n" + UPLINKS);
        assertThatThrownBy(() -> TunnelNode.loadEn(both)).hasMessageContaining("both.yaml:9:1").hasMessageContaining("listen or uplinks");
        Path alone = write(dir, "alone.yaml", EN + "multipath: {mode: concurrent}\n");
        assertThatThrownBy(() -> TunnelNode.loadEn(alone)).hasMessageContaining("alone.yaml:9:1").hasMessageContaining("multipath needs uplinks");
        Path mode = write(dir, "mode.yaml", EN + UPLINKS + "multipath: {mode: random}\n");
        assertThatThrownBy(() -> TunnelNode.loadEn(mode)).hasMessageContaining("mode.yaml:12:").hasMessageContaining("not random");
        Path local = write(dir, "local.yaml", EN + UPLINKS.replace("10.81.2.1:0", "nowhere"));
        assertThatThrownBy(() -> TunnelNode.loadEn(local)).hasMessageContaining("local.yaml:11:").hasMessageContaining("local");
    }

    @Test
    void anEnsTrustTakesTheDefaultsAndItsUplinksMayNotShareADnsName(@TempDir Path dir) throws Exception {
        EnConfig c = TunnelNode.loadEn(write(dir, "en.yaml", EN));
        assertThat(c.trust().indictment()).isEqualTo(0.5);
        assertThat(c.trust().refuseBelow()).isEqualTo(0.3);
        Path bad = write(dir, "bad.yaml", EN + "trust: {indictment: 0, refuse-below: 0.3}\n");
        assertThatThrownBy(() -> TunnelNode.loadEn(bad)).hasMessageContaining("bad.yaml:9:").hasMessageContaining("indictment");
        Path shared = write(dir, "shared.yaml", EN + UPLINKS.replace("name: up2", "name: dn2"));
        assertThatThrownBy(() -> TunnelNode.loadEn(shared)).hasMessageContaining("shared.yaml:11:6")
                .hasMessageContaining("uplink name dn2 is a DN's name too");
    }

    @Test
    void theTestOnlyDelayIsOffUnlessConfiguredAndABadOneIsNamed(@TempDir Path dir) throws Exception {
        assertThat(TunnelNode.loadEn(write(dir, "en.yaml", EN)).testDelay()).isNull();
        EnConfig c = TunnelNode.loadEn(write(dir, "delay.yaml", EN + "test-delay: {delay: 20ms, jitter: 5ms}\n"));
        assertThat(c.testDelay().delay()).isEqualTo(Duration.ofMillis(20));
        assertThat(c.testDelay().jitterOrZero()).isEqualTo(Duration.ofMillis(5));
        assertThat(c.testDelay().slotsOrDefault()).isEqualTo(TestDelay.DEFAULT_SLOTS);
        Path bad = write(dir, "bad.yaml", EN + "test-delay: {delay: 20ms, slots: 0}\n");
        assertThatThrownBy(() -> TunnelNode.loadEn(bad)).hasMessageContaining("bad.yaml:9:").hasMessageContaining("slots");
    }

    @Test
    void dataSilenceIsOffUnlessConfiguredAndAtLeastTwentyMilliseconds(@TempDir Path dir) throws Exception {
        assertThat(TunnelNode.loadEn(write(dir, "en.yaml", EN)).dataSilence()).isNull();
        assertThat(TunnelNode.loadEn(write(dir, "on.yaml", EN + "data-silence: 300ms\n")).dataSilence()).isEqualTo(Duration.ofMillis(300));
        Path fast = write(dir, "fast.yaml", EN + "data-silence: 5ms\n");
        assertThatThrownBy(() -> TunnelNode.loadEn(fast)).hasMessageContaining("fast.yaml:9:").hasMessageContaining("at least 20ms");
    }

    @Test
    void oneDnIsNotEnough(@TempDir Path dir) throws Exception {
        Path f = write(dir, "en.yaml", EN.replace("  - {name: dn2, address: 10.1.2.2:4789}\n", ""));
        assertThatThrownBy(() -> TunnelNode.loadEn(f)).hasMessageContaining("en.yaml:5:1").hasMessageContaining("at least two DNs");
    }

    @Test
    void bfdFasterThanTenMillisecondsIsRefused(@TempDir Path dir) throws Exception {
        Path f = write(dir, "en.yaml", EN + "bfd: {tx: 5ms}\n");
        assertThatThrownBy(() -> TunnelNode.loadEn(f)).hasMessageContaining("en.yaml:9:").hasMessageContaining("between 10 ms and 60 s");
    }

    @Test
    void aDnPoolOutsideItsClientNetworkIsRefused(@TempDir Path dir) throws Exception {
        Path f = write(dir, "dn.yaml", """
                name: dn1
                key: tunnel.key
                listen: 10.1.1.2:4789
                device: d2r2-tun-dn
                pool: 10.78.1.0/24
                clients: 10.77.0.0/16
                """);
        assertThatThrownBy(() -> TunnelNode.loadDn(f)).hasMessageContaining("dn.yaml:5:1").hasMessageContaining("not inside clients");
    }

    @Test
    void aBlockOutsideThePoolOrOverlappingAnotherIsNamed(@TempDir Path dir) throws Exception {
        String dn = """
                name: dn1
                key: tunnel.key
                listen: 10.1.1.2:4789
                device: d2r2-tun-dn
                pool: 10.77.1.0/24
                clients: 10.77.0.0/16
                subnets:
                  dn2: 10.77.1.0/25
                """;
        assertThat(TunnelNode.loadDn(write(dir, "ok.yaml", dn + "secondary: [10.77.2.0/25]\n")).secondary()).containsExactly("10.77.2.0/25");
        assertThatThrownBy(() -> TunnelNode.loadDn(write(dir, "out.yaml", dn + "  dn3: 10.77.2.0/25\n")))
                .hasMessageContaining("out.yaml:9:").hasMessageContaining("not inside the pool");
        assertThatThrownBy(() -> TunnelNode.loadDn(write(dir, "overlap.yaml", dn + "  dn3: 10.77.1.64/26\n")))
                .hasMessageContaining("overlap.yaml:9:").hasMessageContaining("overlaps 10.77.1.0/25");
        assertThatThrownBy(() -> TunnelNode.loadDn(write(dir, "own.yaml", dn + "secondary: [10.77.1.128/25]\n")))
                .hasMessageContaining("own.yaml:9:").hasMessageContaining("overlaps this DN's own pool");
    }

    @Test
    void aDetectorWithABadAddressOrAnApiWithoutTokenIsNamed(@TempDir Path dir) throws Exception {
        String fd = """
                name: fd1
                tunnel: 900
                identity: fd1.identity
                address: 10.77.255.1
                watch:
                  - {name: dn1, address: 10.1.1.2:4789, public-key: %s}
                """.formatted("5c".repeat(32));
        assertThat(DnfdNode.load(write(dir, "ok.yaml", fd)).addressBits()).isEqualTo(0x0a4dff01);
        assertThatThrownBy(() -> DnfdNode.load(write(dir, "addr.yaml", fd.replace("10.77.255.1", "10.77.255.300"))))
                .hasMessageContaining("addr.yaml:4:");
        assertThatThrownBy(() -> DnfdNode.load(write(dir, "api.yaml", fd + "api: 127.0.0.1:7391\n")))
                .hasMessageContaining("api.yaml:").hasMessageContaining("api-token");
        assertThatThrownBy(() -> DnfdNode.load(write(dir, "nokey.yaml", fd.replaceAll(", public-key: \\w+", ""))))
                .hasMessageContaining("nokey.yaml:").hasMessageContaining("watch[0].public-key");
        assertThatThrownBy(() -> DnfdNode.load(write(dir, "noid.yaml", fd.replace("identity: fd1.identity\n", ""))))
                .hasMessageContaining("noid.yaml:").hasMessageContaining("identity");
    }

    @Test
    void anEsrWithoutItsDnsHopsOrWithABadHopIsNamed(@TempDir Path dir) throws Exception {
        String esr = """
                name: esr1
                tunnel: 901
                identity: esr1.identity
                dns:
                  - {name: dn1, via: 10.3.1.2, public-key: %s}
                """.formatted("5c".repeat(32));
        EsrConfig ok = EsrNode.load(write(dir, "ok.yaml", esr));
        assertThat(ok.listenOrDefault()).isEqualTo("0.0.0.0:4790");
        assertThat(ok.expireAfterMillis()).isEqualTo(1000);
        assertThatThrownBy(() -> EsrNode.load(write(dir, "via.yaml", esr.replace("10.3.1.2,", "10.3.1.0/24,"))))
                .hasMessageContaining("via.yaml:5:").hasMessageContaining("via");
        assertThatThrownBy(() -> EsrNode.load(write(dir, "twice.yaml", esr + "  - {name: dn1, via: 10.3.2.2, public-key: " + "5c".repeat(32) + "}\n")))
                .hasMessageContaining("twice.yaml:6:").hasMessageContaining("used twice");
        assertThatThrownBy(() -> EsrNode.load(write(dir, "none.yaml", esr.replace("tunnel: 901", "tunnel: 0"))))
                .hasMessageContaining("none.yaml:2:").hasMessageContaining("tunnel id");
        assertThatThrownBy(() -> EsrNode.load(write(dir, "fast.yaml", esr + "expire-after: 5ms\n")))
                .hasMessageContaining("fast.yaml:6:").hasMessageContaining("at least 20ms");
        assertThat(ok.dns().getFirst().identityOrName()).as("a DN's map events come from its own name by default").isEqualTo("dn1");
        assertThat(EsrNode.load(write(dir, "id.yaml", esr.replace("via: 10.3.1.2,", "via: 10.3.1.2, identity: dn1-host,")))
                .dns().getFirst().identityOrName()).isEqualTo("dn1-host");
        assertThatThrownBy(() -> EsrNode.load(write(dir, "blank.yaml", esr.replace("via: 10.3.1.2,", "via: 10.3.1.2, identity: \" \","))))
                .hasMessageContaining("blank.yaml:5:").hasMessageContaining("identity");
        assertThatThrownBy(() -> EsrNode.load(write(dir, "nokey.yaml", esr.replaceAll(", public-key: \\w+", ""))))
                .hasMessageContaining("nokey.yaml:").hasMessageContaining("dns[0].public-key");
    }

    @Test
    void aDnsEsrLinkNeedsAnAddressATunnelAndTheEsrsPublicKey(@TempDir Path dir) throws Exception {
        String pub = ", public-key: " + "3b".repeat(32);
        String dn = """
                name: dn1
                identity: dn1.identity
                listen: 10.1.1.2:4789
                device: d2r2-tun-dn
                pool: 10.77.1.0/24
                clients: 10.77.0.0/16
                """;
        assertThat(TunnelNode.loadDn(write(dir, "ok.yaml", dn + "esr: {address: 10.3.1.1:4790, tunnel: 901" + pub + "}\n")).esr().reportEveryMillis())
                .isEqualTo(200);
        assertThatThrownBy(() -> TunnelNode.loadDn(write(dir, "tunnel.yaml", dn + "esr: {address: 10.3.1.1:4790" + pub + "}\n")))
                .hasMessageContaining("tunnel.yaml:7:").hasMessageContaining("tunnel id");
        assertThatThrownBy(() -> TunnelNode.loadDn(write(dir, "addr.yaml", dn + "esr: {address: nowhere, tunnel: 901" + pub + "}\n")))
                .hasMessageContaining("addr.yaml:7:");
        assertThatThrownBy(() -> TunnelNode.loadDn(write(dir, "nokey.yaml", dn + "esr: {address: 10.3.1.1:4790, tunnel: 901}\n")))
                .hasMessageContaining("nokey.yaml:7:").hasMessageContaining("esr.public-key");
    }

    @Test
    void identityKeysNeedEveryPeersPublicKeyAndExcludeTheMasterKey(@TempDir Path dir) throws Exception {
        String pub = "6f".repeat(32);
        String en = EN.replace("key: tunnel.key", "identity: en1.identity")
                .replace("address: 10.1.1.2:4789}", "address: 10.1.1.2:4789, public-key: " + pub + "}")
                .replace("address: 10.1.2.2:4789}", "address: 10.1.2.2:4789, public-key: " + pub + "}");
        assertThat(TunnelNode.loadEn(write(dir, "en.yaml", en)).dns()).extracting(DnRef::publicKey).containsOnly(pub);
        assertThatThrownBy(() -> TunnelNode.loadEn(write(dir, "both.yaml", en + "key: tunnel.key\n")))
                .hasMessageContaining("both.yaml:").hasMessageContaining("not both");
        assertThatThrownBy(() -> TunnelNode.loadEn(write(dir, "missing.yaml", en.replace(", public-key: " + pub + "}\n  - {name: dn2", "}\n  - {name: dn2"))))
                .hasMessageContaining("missing.yaml:6:5").hasMessageContaining("dns[0]: an EN keyed by identity needs each DN's public-key");
        assertThatThrownBy(() -> TunnelNode.loadEn(write(dir, "short.yaml", en.replace(pub + "}\n  - {name: dn2", "6f6f}\n  - {name: dn2"))))
                .hasMessageContaining("short.yaml:").hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> TunnelNode.loadEn(write(dir, "master.yaml", EN.replace("10.1.1.2:4789}", "10.1.1.2:4789, public-key: " + pub + "}"))))
                .hasMessageContaining("master.yaml:").hasMessageContaining("needs the EN's identity");

        String dn = """
                name: dn1
                identity: dn1.identity
                listen: 10.1.1.2:4789
                device: d2r2-tun-dn
                pool: 10.77.1.0/24
                clients: 10.77.0.0/16
                """;
        DnConfig ok = TunnelNode.loadDn(write(dir, "dn.yaml", dn + "ens:\n  - {tunnel: 1, public-key: " + pub + "}\n"));
        assertThat(ok.peerKeys()).containsOnlyKeys(1);
        DnConfig fenced = TunnelNode.loadDn(write(dir, "fenced.yaml", dn + "ens:\n  - {tunnel: 1, public-key: " + pub + "}\n"
                + "fencers:\n  - {tunnel: 900, public-key: " + pub + "}\n"));
        assertThat(fenced.peerKeys()).as("a DN-FD is keyed as an EN is").containsOnlyKeys(1, 900);
        assertThat(fenced.fencerTunnels()).containsExactly(900);
        assertThatThrownBy(() -> TunnelNode.loadDn(write(dir, "clash.yaml", dn + "ens:\n  - {tunnel: 1, public-key: " + pub + "}\n"
                + "fencers:\n  - {tunnel: 1, public-key: " + pub + "}\n"))).hasMessageContaining("clash.yaml:").hasMessageContaining("fencers[0].tunnel");
        String master = dn.replace("identity: dn1.identity", "key: tunnel.key");
        assertThatThrownBy(() -> TunnelNode.loadDn(write(dir, "mfence.yaml", master + "fencers:\n  - {tunnel: 900, public-key: " + pub + "}\n")))
                .hasMessageContaining("mfence.yaml:").hasMessageContaining("identity is needed");
        assertThatThrownBy(() -> TunnelNode.loadDn(write(dir, "twice.yaml", dn + "ens:\n  - {tunnel: 1, public-key: " + pub
                + "}\n  - {tunnel: 1, public-key: " + pub + "}\n"))).hasMessageContaining("twice.yaml:").hasMessageContaining("ens[1].tunnel");
        assertThatThrownBy(() -> TunnelNode.loadDn(write(dir, "esr.yaml", master + "esr: {address: 10.3.1.1:4790, tunnel: 901, public-key: " + pub + "}\n")))
                .hasMessageContaining("esr.yaml:").hasMessageContaining("identity is needed");
        assertThatThrownBy(() -> TunnelNode.loadDn(write(dir, "none.yaml", dn.replace("identity: dn1.identity\n", ""))))
                .hasMessageContaining("none.yaml:").hasMessageContaining("identity");
    }

    private static Path write(Path dir, String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }
}
