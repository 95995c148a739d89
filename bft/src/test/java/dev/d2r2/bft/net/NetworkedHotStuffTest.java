package dev.d2r2.bft.net;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Basic HotStuff between four real processes (n = 4, f = 1) over signed TCP links, configured by
 * a cluster file. One replica lies by turns (equivocates, tampers, goes silent) behind the
 * test-only {@link ByzantineOutbox}: the three correct replicas still decide every command, in
 * one order. A killed leader is replaced by a view change and the others go on. A replica
 * killed while the others decide, started again on its state once they have gone past the heights
 * they keep, installs a checkpoint and ends with their application state.
 */
class NetworkedHotStuffTest {
    private static final int N = 4;
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    /** Heights each replica keeps for peers that fetch them: few, so that a replica down for a while needs a checkpoint. */
    private static final int RETAINED = 4;

    @TempDir
    Path dir;
    private final List<Replica> replicas = new ArrayList<>();

    /** One replica process: its stdin, and the lines it printed. */
    private record Replica(Process process, PrintWriter in, List<String> decided, List<String> status) {
        void tell(String line) {
            in.println(line);
            in.flush();
        }

        List<String> commands() {
            return commandsProposedBy(-1);
        }

        /** The decided commands, of blocks proposed by {@code exceptProposer} left out. */
        List<String> commandsProposedBy(int exceptProposer) {
            List<String> all = new ArrayList<>();
            for (String d : decided) {
                String[] f = d.split(" ", 6);
                if (f.length == 6 && !f[5].isEmpty() && Integer.parseInt(f[3]) != exceptProposer) {
                    all.addAll(Arrays.asList(f[5].split(",")));
                }
            }
            return all;
        }

        List<String> hashes() {
            return decided.stream().map(d -> d.split(" ")[1] + ":" + d.split(" ")[4]).toList();
        }
    }

    @BeforeEach
    void startFourReplicas() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        StringBuilder cluster = new StringBuilder("f: 1\nreplicas:\n");
        List<KeyPair> keys = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            KeyPair k = g.generateKeyPair();
            keys.add(k);
            Files.writeString(dir.resolve("r" + i + ".key"), Base64.getEncoder().encodeToString(k.getPrivate().getEncoded()));
            cluster.append("  - name: r").append(i).append("\n    address: 127.0.0.1:").append(freePort())
                    .append("\n    publicKey: ").append(Base64.getEncoder().encodeToString(k.getPublic().getEncoded()))
                    .append('\n');
        }
        Files.writeString(dir.resolve("cluster.yaml"), cluster);
        Files.createDirectories(dir.resolve("state"));
        for (int i = 0; i < N; i++) {
            replicas.add(start(i));
        }
    }

    /** Starts replica {@code i}'s process, on the state it left in the state directory if any. */
    private Replica start(int i) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                BftNodeProcess.class.getName(), dir.resolve("cluster.yaml").toString(), "r" + i,
                dir.resolve("r" + i + ".key").toString(), "500", dir.resolve("state").toString(),
                Integer.toString(RETAINED))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("r" + i + ".err").toFile())).start();
        Replica r = new Replica(p, new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8),
                new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        List<String> ready = new CopyOnWriteArrayList<>();
        Thread.ofPlatform().daemon().start(() -> collect(p, r, ready));
        await().atMost(PATIENCE).until(() -> !ready.isEmpty() || !p.isAlive());
        assertThat(p.isAlive()).as("replica %d started", i).isTrue();
        return r;
    }

    private static void collect(Process p, Replica r, List<String> ready) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("DECIDED ")) {
                    r.decided().add(line);
                } else if (line.startsWith("STATUS ")) {
                    r.status().add(line);
                } else if (line.equals("READY")) {
                    ready.add(line);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Replica r : replicas) {
            r.process().destroyForcibly().waitFor();
        }
        replicas.clear();
    }

    @Test
    void threeCorrectReplicasDecideTheSameCommandsWhileTheFourthEquivocatesTampersAndFallsSilent() {
        List<Replica> correct = replicas.subList(0, N - 1);
        Replica liar = replicas.get(N - 1);
        List<String> submitted = new ArrayList<>();
        for (String mode : List.of("EQUIVOCATE", "TAMPER", "SILENT")) {
            liar.tell("fault " + mode);
            for (int i = 0; i < 12; i++) {
                // Each command enters at one correct replica (a command queued at two replicas at
                // different times may be decided twice: telling repeats apart is the application's
                // business); the liar gets its own, so that it has blocks to lie about.
                String command = mode.toLowerCase() + "-" + i;
                submitted.add(command);
                correct.get(i % correct.size()).tell("submit " + command);
                liar.tell("submit liar-" + command);
            }
            await().atMost(PATIENCE).until(() -> correct.stream().allMatch(r -> r.commands().containsAll(submitted)));
        }
        sameDecisions(correct);
        for (Replica r : correct) {
            assertThat(r.commandsProposedBy(N - 1)).doesNotHaveDuplicates();
            assertThat(r.commands()).noneMatch(c -> c.startsWith("equivocation-"));
            r.tell("status");
        }
        await().atMost(PATIENCE).until(() -> correct.stream().allMatch(r -> !r.status().isEmpty()));
        // The tampered votes may all come after their quorum (ignored uncounted); checkpoint votes are tampered too.
        assertThat(correct).anyMatch(r -> r.status().getFirst().contains("BAD_CERTIFICATE")
                || r.status().getFirst().contains("BAD_VOTE") || r.status().getFirst().contains("BAD_CHECKPOINT"));
    }

    @Test
    void aKilledLeaderIsReplacedByAViewChangeAndTheOthersGoOn() {
        for (int i = 0; i < 8; i++) {
            String command = "before-" + i;
            replicas.forEach(r -> r.tell("submit " + command));
        }
        await().atMost(PATIENCE).until(() -> replicas.stream().allMatch(r -> r.commands().size() >= 8));
        String last = replicas.getFirst().decided().getLast();
        int leader = (int) ((Long.parseLong(last.split(" ")[2]) + 1) % N);
        replicas.get(leader).process().destroyForcibly();
        List<Replica> survivors = new ArrayList<>(replicas);
        survivors.remove(leader);
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String command = "after-" + i;
            after.add(command);
            survivors.forEach(r -> r.tell("submit " + command));
        }
        await().atMost(PATIENCE).until(() -> survivors.stream().allMatch(r -> r.commands().containsAll(after)));
        sameDecisions(survivors);
        assertThat(survivors.getFirst().decided()).anyMatch(d -> Integer.parseInt(d.split(" ")[3]) != leader
                && d.contains("after-"));
    }

    @Test
    void aReplicaKilledWhileTheOthersDecideRestartsOnItsStateAndCatchesUpFromACheckpoint()
            throws IOException, InterruptedException {
        List<String> before = submitOneByOne("before-", 4, replicas);
        await().atMost(PATIENCE).until(() -> replicas.stream().allMatch(r -> r.commands().containsAll(before)));
        List<Replica> others = List.copyOf(replicas.subList(0, N - 1));
        for (int i = 0; i < 4; i++) {
            others.get(i % others.size()).tell("submit during-" + i);
        }
        replicas.get(N - 1).process().destroyForcibly().waitFor();
        // One block each, awaited: the others go more than RETAINED heights past the killed replica.
        List<String> lag = new ArrayList<>();
        for (int i = 0; i < 6 * RETAINED; i++) {
            lag.add("lag-" + i);
            others.get(i % others.size()).tell("submit lag-" + i);
            await().atMost(PATIENCE).until(() -> others.stream().allMatch(r -> r.commands().containsAll(lag)));
        }

        replicas.set(N - 1, start(N - 1));
        List<String> after = submitOneByOne("after-", 3, others);
        await().atMost(PATIENCE).until(() -> others.stream().allMatch(r -> r.commands().containsAll(after)));

        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
            List<Map<String, String>> s = replicas.stream().map(NetworkedHotStuffTest::status).toList();
            return s.stream().map(m -> m.get("app") + " " + m.get("digest")).distinct().count() == 1;
        });
        Map<String, String> restarted = status(replicas.get(N - 1));
        assertThat(Long.parseLong(restarted.get("installed"))).as("checkpoints installed").isPositive();
        for (Replica r : replicas) {
            Map<String, String> s = status(r);
            assertThat(s.get("distinct")).as("no command applied twice").isEqualTo(s.get("commands"));
            assertThat(Integer.parseInt(s.get("commands"))).isEqualTo(4 + 4 + 6 * RETAINED + 3);
        }
    }

    /** Submits {@code count} commands, each to the next replica of {@code to}, in turn. */
    private static List<String> submitOneByOne(String prefix, int count, List<Replica> to) {
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            submitted.add(prefix + i);
            to.get(i % to.size()).tell("submit " + prefix + i);
        }
        return submitted;
    }

    /** The fields of a fresh STATUS line of {@code r}'s, as name=value. */
    private static Map<String, String> status(Replica r) {
        r.status().clear();
        r.tell("status");
        await().atMost(PATIENCE).until(() -> !r.status().isEmpty());
        Map<String, String> fields = new HashMap<>();
        for (String f : r.status().getFirst().split(" ")) {
            int eq = f.indexOf('=');
            if (eq > 0) {
                fields.put(f.substring(0, eq), f.substring(eq + 1));
            }
        }
        return fields;
    }

    /** Every pair of replicas decided the same block at every height both reached. */
    private static void sameDecisions(List<Replica> rs) {
        for (Replica a : rs) {
            for (Replica b : rs) {
                List<String> x = a.hashes();
                List<String> y = b.hashes();
                int common = Math.min(x.size(), y.size());
                assertThat(x.subList(0, common)).isEqualTo(y.subList(0, common));
            }
        }
    }
}
