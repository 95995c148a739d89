package dev.d2r2.scale.driver;

import dev.d2r2.core.Clock;
import dev.d2r2.core.testing.Peers;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.SipProbe;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.PhaseTimed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The process driver for real: SIPp uas processes in network namespaces of their own on two
 * clouds' bridges, under cgroup CPU quotas, answering OPTIONS from the host; a clone into the
 * other cloud carries the source's state, and its artifact over the shaped link into that cloud;
 * everything is gone after stop and close.
 */
class ProcessDriverTest {
    private static final String PREFIX = "d2r2-sc-";
    private static final Path IP = Path.of("/usr/bin/ip");
    private static final Path SIPP = Path.of("/usr/bin/sipp");

    @TempDir
    Path dir;
    private final List<InstanceChange> changes = new CopyOnWriteArrayList<>();
    private final List<PhaseTimed> phases = new CopyOnWriteArrayList<>();
    private ProcessDriver driver;

    @BeforeEach
    void setUp() throws Exception {
        Peers.require(IP, "iproute2");
        Peers.require(SIPP, "sip-tester");
        ProcessDriver.cleanup(PREFIX);
        Path artifact = dir.resolve("image.bin");
        byte[] image = new byte[1 << 20];
        for (int i = 0; i < image.length; i++) {
            image[i] = (byte) (i * 31 + i / 4096);
        }
        Files.write(artifact, image);
        ScaleConfig config = ScaleConfig.parse("t.yaml", """
                clouds:
                  a: { subnet: 10.97.11.0/24, capacity: 2 }
                  b: { subnet: 10.97.12.0/24, capacity: 1, link: 80mbit }
                types:
                  uas:
                    template:
                      command: [%s, -sn, uas, -aa, -i, "${address}", -p, "${port}", -nostdin]
                      port: 5060
                      cpu: 0.25
                      artifact: %s
                    cloud: a
                    min: 1
                    max: 3
                    metrics:
                      calls_per_s: { warning: 100, critical: 140, warning-for: 2s, critical-for: 500ms }
                    target: { metric: calls_per_s, per-instance: 80 }
                    scale-down: { below: 20, for: 10s }
                """.formatted(SIPP, artifact));
        driver = new ProcessDriver(config, PREFIX, dir.resolve("work"), new Lifecycle(Clock.system(), changes::add));
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        ProcessDriver.cleanup(PREFIX);
    }

    private Phases phases(String step) {
        return new Phases(Clock.system(), step, "?", "?", phases::add);
    }

    private static boolean namespaceExists(String ns) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "list").start();
        return new String(p.getInputStream().readAllBytes()).lines().anyMatch(l -> l.split("\\s+")[0].equals(ns));
    }

    @Test
    void anInstanceRunsInItsNamespaceUnderItsQuotaAndAnswersOptionsFromTheHost() throws Exception {
        Instance i = driver.start("uas", "a", phases("start"));
        assertThat(i.address()).isEqualTo("10.97.11.2:5060");
        assertThat(namespaceExists(PREFIX + i.name())).isTrue();
        Path cgroup = driver.cgroup(i);
        assertThat(Files.readString(cgroup.resolve("cpu.cfs_quota_us")).strip()).isEqualTo("25000");
        assertThat(SipProbe.healthy(i.host(), i.port(), Duration.ofSeconds(10), Duration.ofMillis(100))).isTrue();
        assertThat(Files.readString(cgroup.resolve("cgroup.procs")).strip()).as("the instance's process is in its cgroup").isNotEmpty();
        assertThat(phases).extracting(PhaseTimed::phase).containsExactly("register", "configure", "boot");
        assertThat(phases).allMatch(PhaseTimed::ok);
        assertThat(changes).extracting(InstanceChange::to).containsExactly("starting", "running");

        driver.stop(i, "test");
        assertThat(namespaceExists(PREFIX + i.name())).isFalse();
        assertThat(cgroup).doesNotExist();
        assertThat(changes.getLast().to()).isEqualTo("stopped");
        assertThat(changes.getLast().from()).isEqualTo("running");
        assertThat(driver.list()).isEmpty();
    }

    @Test
    void aCloneIntoAnotherCloudCarriesStateAndArtifactAndServesOnThatCloudsBridge() throws Exception {
        Instance source = driver.start("uas", "a", phases("start"));
        Files.writeString(dir.resolve("work/instances").resolve(source.name()).resolve("registrations"), "sip:alice@example.org\n");
        phases.clear();
        Instance clone = driver.clone(source, "b", phases("scale-out"));
        assertThat(clone.cloud()).isEqualTo("b");
        assertThat(clone.host()).isEqualTo("10.97.12.2");
        assertThat(phases).extracting(PhaseTimed::phase).containsExactly("snapshot", "transfer", "register", "configure", "boot");
        assertThat(phases).allMatch(p -> p.step().equals("scale-out"));
        assertThat(phases.getLast().instance()).isEqualTo(clone.name());
        assertThat(dir.resolve("work/instances").resolve(clone.name()).resolve("registrations")).hasContent("sip:alice@example.org");
        assertThat(dir.resolve("work/clouds/b/images/image.bin")).as("sent over the link to b's image store")
                .hasSameBinaryContentAs(dir.resolve("image.bin"));
        assertThat(namespaceExists(PREFIX + "st-b")).isTrue();
        Process qdisc = new ProcessBuilder("tc", "qdisc", "show", "dev", PREFIX + "b").start();
        assertThat(new String(qdisc.getInputStream().readAllBytes())).as("the link into b is shaped").contains("tbf").contains("rate 80Mbit");
        assertThat(SipProbe.healthy(clone.host(), clone.port(), Duration.ofSeconds(10), Duration.ofMillis(100))).isTrue();
        assertThat(SipProbe.healthy(source.host(), source.port(), Duration.ofSeconds(10), Duration.ofMillis(100))).isTrue();
        assertThat(driver.list()).containsExactly(source, clone);

        assertThatThrownBy(() -> driver.clone(source, "b", phases("again"))).isInstanceOf(DriverException.class)
                .hasMessageContaining("cloud b is full");
        assertThat(driver.list()).containsExactly(source, clone);

        driver.close();
        assertThat(driver.list()).isEmpty();
        assertThat(namespaceExists(PREFIX + source.name())).isFalse();
        assertThat(namespaceExists(PREFIX + clone.name())).isFalse();
        assertThat(namespaceExists(PREFIX + "st-b")).isFalse();
        Process links = new ProcessBuilder("ip", "-o", "link", "show").start();
        assertThat(new String(links.getInputStream().readAllBytes())).doesNotContain(PREFIX);
    }

    @Test
    void aDeadInstanceFailsItsHealthCheck() throws Exception {
        Instance i = driver.start("uas", "a", phases("start"));
        assertThat(SipProbe.healthy(i.host(), i.port(), Duration.ofSeconds(10), Duration.ofMillis(100))).isTrue();
        long pid = firstPid(i);
        ProcessHandle victim = ProcessHandle.of(pid).orElseThrow();
        victim.destroyForcibly();
        victim.onExit().get();
        assertThat(SipProbe.healthy(i.host(), i.port(), Duration.ofMillis(600), Duration.ofMillis(100))).isFalse();
    }

    @Test
    void aNewDriverAdoptsWhatRunsWithItsDrainMarkAndRemovesAnInstanceWhoseProcessDied() throws Exception {
        ScaleConfig config = ScaleConfig.parse("t.yaml", """
                clouds:
                  a: { subnet: 10.97.11.0/24, capacity: 2 }
                types:
                  uas:
                    template:
                      command: [%s, -sn, uas, -aa, -i, "${address}", -p, "${port}", -nostdin]
                      port: 5060
                      cpu: 0.25
                    cloud: a
                    min: 1
                    max: 3
                    metrics:
                      calls_per_s: { warning: 100, critical: 140, warning-for: 2s, critical-for: 500ms }
                    target: { metric: calls_per_s, per-instance: 80 }
                    scale-down: { below: 20, for: 10s }
                """.formatted(SIPP));
        driver.close();
        driver = new ProcessDriver(config, PREFIX, dir.resolve("work"), new Lifecycle(Clock.system(), changes::add));
        Instance dead = driver.start("uas", "a", phases("start"));
        Instance draining = driver.start("uas", "a", phases("start"));
        driver.drain(draining);
        long pid = firstPid(draining);
        ProcessHandle victim = ProcessHandle.of(firstPid(dead)).orElseThrow();
        victim.destroyForcibly();
        victim.onExit().get();
        driver.detach();
        changes.clear();

        driver = new ProcessDriver(config, PREFIX, dir.resolve("work"), new Lifecycle(Clock.system(), changes::add));
        assertThat(driver.adopt()).containsExactly(draining);
        assertThat(changes).extracting(InstanceChange::instance, InstanceChange::to)
                .containsExactly(tuple("uas-1", "failed"), tuple("uas-1", "stopped"), tuple("uas-2", "draining"));
        assertThat(changes.getFirst().why()).isEqualTo("found without its process after a restart of the scaler: removed");
        assertThat(changes.getLast().why()).isEqualTo("adopted after a restart of the scaler");
        assertThat(namespaceExists(PREFIX + "uas-1")).isFalse();
        assertThat(driver.alive(draining)).isTrue();
        assertThat(Files.readString(driver.cgroup(draining).resolve("cgroup.procs")).strip()).startsWith(Long.toString(pid));

        Instance next = driver.start("uas", "a", phases("start"));
        assertThat(next.name()).as("numbered after what it adopted").isEqualTo("uas-3");
        assertThat(next.address()).as("the dead one's address is free again").isEqualTo("10.97.11.2:5060");
        assertThatThrownBy(() -> driver.start("uas", "a", phases("start"))).as("the adopted one counts").hasMessageContaining("full");
        driver.stop(draining, "test");
        assertThat(namespaceExists(PREFIX + "uas-2")).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("stopped").isFalse();
    }

    /** The instance's first process, once its launcher has joined the cgroup (it does so just after start returns). */
    private long firstPid(Instance i) {
        Path procs = driver.cgroup(i).resolve("cgroup.procs");
        String pids = await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(procs).strip(), p -> !p.isEmpty());
        return Long.parseLong(pids.split("\\s+")[0]);
    }
}
