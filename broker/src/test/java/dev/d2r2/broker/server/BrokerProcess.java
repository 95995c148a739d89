package dev.d2r2.broker.server;

import dev.d2r2.broker.client.ClientSettings;
import dev.d2r2.broker.client.ForwardedCatchUp;
import dev.d2r2.broker.client.ForwardedRepair;
import dev.d2r2.broker.client.ForwardingLinks;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.TlsMaterial;
import dev.d2r2.core.Clock;
import dev.d2r2.core.testing.MadeOnce;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A broker in a process of its own, for tests that kill it: prints {@code PORT n} when ready.
 * Arguments: the data directory and, optionally, the port (default: any free one), then a
 * catch-up reach (events) and administrator identity files of the other replicas: it then
 * catches up from them before it listens ({@link ForwardedCatchUp}) and forwards to them. A line
 * {@code FORWARD FILE...} on its input makes it forward its forwarded channels' events to the
 * replicas those administrator identity files name and repair from their logs what it sees
 * skipped while it runs ({@link ForwardedRepair}; it answers {@code FORWARDING}); {@code
 * FORWARD-QUEUE N FILE...} does the same with links that queue N events; {@code STATS TAG}
 * answers what it forwarded and lost, and the channel's duplicates, catch-up, repairs and
 * integrity refusals.
 */
public final class BrokerProcess {
    private BrokerProcess() {
    }

    /** Starts a broker process on {@code data} (added to {@code started}); returns its administrator's identity once it listens. */
    public static IdentityFile start(Path data, List<Process> started) throws IOException {
        return start(data, started, List.of());
    }

    /** As {@link #start(Path, List)}, with more arguments after the data directory (see the class). */
    public static IdentityFile start(Path data, List<Process> started, List<String> args) throws IOException {
        return listening(data, launch(data, started, args));
    }

    /**
     * Starts a broker process on each of {@code data} (added to {@code started}) at once, so that their JVMs
     * start side by side; returns their administrators' identities, in order, once every one listens.
     */
    public static List<IdentityFile> startAll(List<Path> data, List<Process> started) throws IOException {
        List<Process> launched = new ArrayList<>();
        for (Path d : data) {
            launched.add(launch(d, started, List.of()));
        }
        List<IdentityFile> admins = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            admins.add(listening(data.get(i), launched.get(i)));
        }
        return admins;
    }

    private static Process launch(Path data, List<Process> started, List<String> args) throws IOException {
        Files.createDirectories(data);
        Process p = launch(data, args, ProcessBuilder.Redirect.appendTo(data.resolve("stderr.log").toFile()));
        started.add(p);
        return p;
    }

    private static IdentityFile listening(Path data, Process p) throws IOException {
        awaitPort(p);
        return IdentityFile.load(data.resolve("admin.identity"));
    }

    /**
     * Starts a broker process on {@code data}, {@code args} after it (see the class), its stderr to {@code stderr};
     * see {@link #awaitPort}. A new data directory is given the test JVM's TLS key store, so that the process
     * does not run keytool.
     */
    public static Process launch(Path data, List<String> args, ProcessBuilder.Redirect stderr) throws IOException {
        MadeOnce.copyInto(data, "broker-tls", TlsMaterial::loadOrCreate);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                BrokerProcess.class.getName(), data.toString()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectError(stderr).start();
    }

    /** Waits until a broker process listens; returns its port. */
    public static int awaitPort(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("PORT ")) {
                return Integer.parseInt(line.substring(5).strip());
            }
        }
        throw new IOException("broker process ended before it listened");
    }

    /** Sends {@code line} to a broker process's input and waits for {@code answer} on its output. */
    public static void command(Process p, String line, String answer) throws IOException {
        String got = command(p, line);
        if (!got.equals(answer)) {
            throw new IOException("broker process answered " + got + ", not " + answer);
        }
    }

    /** Sends {@code line} to a broker process's input and returns its next line of output. */
    public static String command(Process p, String line) throws IOException {
        p.getOutputStream().write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String got = r.readLine();
        if (got == null) {
            throw new IOException("broker process ended before it answered " + line);
        }
        return got;
    }

    public static void main(String[] args) throws Exception {
        Broker broker = Broker.open(Path.of(args[0]), Clock.system());
        List<IdentityFile> catchUpFrom = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            catchUpFrom.add(IdentityFile.load(Path.of(args[i])));
        }
        if (!catchUpFrom.isEmpty()) {
            ForwardedCatchUp.run(broker, catchUpFrom, ClientSettings.DEFAULT,
                    ForwardedCatchUp.Reach.DEFAULT.withEvents(Long.parseLong(args[2])));
        }
        BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", args.length > 1 ? Integer.parseInt(args[1]) : 0));
        System.out.println("PORT " + server.address().getPort());
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in));
        ForwardingLinks links = catchUpFrom.isEmpty() ? null : forward(broker, catchUpFrom, ForwardingLinks.QUEUE);
        String line;
        while ((line = commands.readLine()) != null) {
            if (line.startsWith("FORWARD")) {
                List<String> words = List.of(line.split(" "));
                boolean queued = words.getFirst().equals("FORWARD-QUEUE");
                int queue = queued ? Integer.parseInt(words.get(1)) : ForwardingLinks.QUEUE;
                List<IdentityFile> peers = new ArrayList<>();
                for (String file : words.subList(queued ? 2 : 1, words.size())) {
                    peers.add(IdentityFile.load(Path.of(file)));
                }
                links = forward(broker, peers, queue);
                System.out.println("FORWARDING");
            } else if (line.startsWith("STATS ")) {
                String tag = line.substring("STATS ".length());
                System.out.println("STATS sent " + (links == null ? 0 : links.sent()) + " lost " + (links == null ? 0 : links.lost())
                        + " duplicates " + (long) broker.metrics().duplicates(tag).get()
                        + " caught-up " + (long) broker.metrics().caughtUp(tag).get()
                        + " gap " + (long) broker.metrics().forwardedGap(tag).get()
                        + " catch-up-failures " + (long) broker.metrics().catchUpFailures(tag).get()
                        + " repaired " + (long) broker.metrics().repaired(tag).get()
                        + " integrity " + (long) broker.refusals("integrity"));
            }
            System.out.flush();
        }
        Thread.currentThread().join();
    }

    /** Forwards to {@code peers} over links of {@code queue} events, and repairs from their logs what it sees skipped. */
    private static ForwardingLinks forward(Broker broker, List<IdentityFile> peers, int queue) {
        ForwardingLinks links = ForwardingLinks.start(peers, ClientSettings.DEFAULT, queue);
        broker.forwardEvents(links);
        ForwardedRepair.start(broker, peers, ClientSettings.DEFAULT, ForwardedCatchUp.Reach.DEFAULT, REPAIR, Clock.system());
        return links;
    }

    /** Quicker than the default, for tests: a gap is looked for after 1 s. */
    private static final ForwardedRepair.Timing REPAIR = new ForwardedRepair.Timing(Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(30));
}
