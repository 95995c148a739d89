package dev.d2r2.broker.client;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.BrokerProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Single-node broker processes (one JVM each) as the replicas of a {@code forwarded} channel,
 * each forwarding to all the others: the channel {@value #CHANNEL} (log, PKS: the replicas share
 * the publisher's public key, not an HMAC secret), a publisher {@code pub} and a subscriber
 * {@code sub} registered at each, and an administrator {@code fwd} per replica that the others
 * forward as. A replica can be killed, stopped, continued and restarted on its port.
 */
final class ForwardingReplicas implements AutoCloseable {
    static final String CHANNEL = "paths";
    static final ClientSettings SETTINGS = ClientSettings.DEFAULT
            .withFailover(new FailoverPolicy(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(1)));

    private final Path dir;
    private final List<Process> started = new ArrayList<>();
    private final Process[] running;
    private final IdentityFile[] admins;
    private final IdentityFile[] publishers;
    private final IdentityFile[] subscribers;
    private final List<Path> forwarders = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    private ForwardingReplicas(Path dir, int n) {
        this.dir = dir;
        this.running = new Process[n];
        this.admins = new IdentityFile[n];
        this.publishers = new IdentityFile[n];
        this.subscribers = new IdentityFile[n];
    }

    /** Starts {@code n} replicas and makes each forward to the others. */
    static ForwardingReplicas start(Path dir, int n) throws IOException, InterruptedException {
        return start(dir, n, ForwardingLinks.QUEUE);
    }

    /** Starts {@code n} replicas and makes each forward to the others over links that queue {@code queue} events. */
    static ForwardingReplicas start(Path dir, int n, int queue) throws IOException, InterruptedException {
        ForwardingReplicas r = new ForwardingReplicas(dir, n);
        try {
            r.setUp(queue);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    private void setUp(int queue) throws IOException {
        KeyPair publisherKeys = Crypto.newSigningKeyPair();
        KeyPair subscriberKeys = Crypto.newSigningKeyPair();
        KeyPair forwarderKeys = Crypto.newSigningKeyPair();
        List<IdentityFile> identities = BrokerProcess.startAll(IntStream.range(0, running.length).mapToObj(this::data).toList(),
                started);
        for (int i = 0; i < running.length; i++) {
            admins[i] = identities.get(i);
            running[i] = started.get(i);
            try (RemoteBrokerClient c = RemoteBrokerClient.connect(admins[i])) {
                c.createChannel(new ChannelSpec(CHANNEL, ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER)
                        .withProtection(FaultModel.CRASH, Protection.PKS).withDurability(Durability.FORWARDED),
                        Set.of("pub"), Set.of("sub")));
                publishers[i] = BrokerProcesses.identity(c, admins[i], "pub", publisherKeys, false);
                subscribers[i] = BrokerProcesses.identity(c, admins[i], "sub", subscriberKeys, false);
                Path file = dir.resolve("fwd-b" + i + ".identity");
                BrokerProcesses.identity(c, admins[i], "fwd", forwarderKeys, true).save(file);
                forwarders.add(file);
            }
        }
        for (int i = 0; i < running.length; i++) {
            BrokerProcess.command(running[i], "FORWARD-QUEUE " + queue + " " + String.join(" ", others(i)), "FORWARDING");
        }
    }

    /** The forwarder identity files of every replica but {@code i}. */
    private List<String> others(int i) {
        List<String> files = new ArrayList<>();
        for (int j = 0; j < forwarders.size(); j++) {
            if (j != i) {
                files.add(forwarders.get(j).toString());
            }
        }
        return files;
    }

    private Path data(int i) {
        return dir.resolve("b" + i);
    }

    /** A publisher's client at replica {@code i} (closed with the replicas). */
    RemoteBrokerClient publisher(int i) throws IOException {
        return connect(publishers[i]);
    }

    /** A subscriber's client at replica {@code i} (closed with the replicas). */
    RemoteBrokerClient subscriber(int i) throws IOException {
        return connect(subscribers[i]);
    }

    /** The administrator's client at replica {@code i} (closed with the replicas). */
    RemoteBrokerClient admin(int i) throws IOException {
        return connect(admins[i]);
    }

    private RemoteBrokerClient connect(IdentityFile id) throws IOException {
        RemoteBrokerClient c = RemoteBrokerClient.connect(id, id.replicasAt(List.of(id.broker())), SETTINGS);
        clients.add(c);
        return c;
    }

    /** How many events replica {@code i}'s log of the channel holds. */
    long logged(int i) {
        try (RemoteBrokerClient c = RemoteBrokerClient.connect(admins[i])) {
            var span = c.logSpan(CHANNEL);
            return span == null ? 0 : span.nextOffset();
        } catch (IOException e) {
            return -1;
        }
    }

    void kill(int i) throws InterruptedException {
        running[i].destroyForcibly().waitFor();
    }

    /** Sends replica {@code i}'s process a signal ({@code STOP}, {@code CONT}). */
    void signal(int i, String signal) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(running[i].pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IOException("kill -" + signal + " " + running[i].pid() + " exited with " + exit);
        }
    }

    /**
     * Starts killed replica {@code i} again on its port and data, catching up from the others'
     * logs (at most their last {@code reach} events) before it listens, then forwarding to them.
     */
    void restart(int i, long reach) throws IOException {
        String port = admins[i].broker().substring(admins[i].broker().lastIndexOf(':') + 1);
        List<String> args = new ArrayList<>(List.of(port, Long.toString(reach)));
        args.addAll(others(i));
        BrokerProcess.start(data(i), started, args);
        running[i] = started.getLast();
    }

    /** Replica {@code i}'s {@code STATS} line for the channel. */
    String stats(int i) throws IOException {
        return BrokerProcess.command(running[i], "STATS " + CHANNEL);
    }

    /** One number of a {@link #stats} line, by its name. */
    static long stat(String stats, String name) {
        return Long.parseLong(stats.replaceAll(".* " + name + " (\\d+)( .*|$)", "$1"));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (AutoCloseable c : clients.reversed()) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing what a killed replica left
            }
        }
        for (Process p : started) {
            p.destroyForcibly().waitFor();
        }
    }
}
