package dev.d2r2.app;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.policy.Policy;
import dev.d2r2.policy.PolicyRole;
import dev.d2r2.scale.EdgeClient;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScalerApi;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.ScalerRole;
import dev.d2r2.scale.driver.ProcessDriver;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.ScaleEvents;
import dev.d2r2.sip.edge.ApiLimits;
import dev.d2r2.sip.edge.EdgeApi;
import dev.d2r2.sip.edge.EdgeProxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * What the scaling tests through real parts share: the process driver's namespaces for a
 * configuration, a real edge on the home cloud's host address with its HTTP API, the scaler's
 * events as they come, and the whole loop with the example policy. Closing tears it all down.
 */
final class ScaleRig implements AutoCloseable {
    private static final String TOKEN = "scale-rig-edge-api-token-00000001";
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final ScaleConfig config;
    private final String prefix;
    private final Path dir;
    private final EdgeProxy edge;
    private final EdgeApi edgeApi;

    private ScaleRig(ScaleConfig config, String prefix, Path dir, EdgeProxy edge, EdgeApi edgeApi) {
        this.config = config;
        this.prefix = prefix;
        this.dir = dir;
        this.edge = edge;
        this.edgeApi = edgeApi;
    }

    /** Namespaces named by {@code prefix} for {@code config}'s clouds, and an edge at {@code host}; {@code dir} holds the rest. */
    static ScaleRig start(ScaleConfig config, String prefix, String host, Path dir) throws Exception {
        ProcessDriver.network(config, prefix);
        EdgeProxy edge = new EdgeProxy(new InetSocketAddress(host, 0), List.of(), e -> { });
        try {
            return new ScaleRig(config, prefix, dir, edge,
                    new EdgeApi(new InetSocketAddress("127.0.0.1", 0), edge, BearerToken.of(TOKEN), ApiLimits.DEFAULT));
        } catch (Exception e) {
            edge.close();
            throw e;
        }
    }

    /** The template command of a {@code d2r2 sip-server} in this JVM's class path, as a YAML flow list, with {@code extra} arguments. */
    static String sipServer(String... extra) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        StringBuilder command = new StringBuilder("\"" + java + "\", -XX:+UseSerialGC, -XX:TieredStopAtLevel=1, -Xmx64m, -cp, \""
                + System.getProperty("java.class.path") + "\", " + Main.class.getName()
                + ", sip-server, --listen, \"${address}:${port}\", --name, \"${name}\"");
        for (String e : extra) {
            command.append(", ").append(e);
        }
        return command.toString();
    }

    /** A scaler with the process driver working in {@code dir/work}; its events are kept and also given to {@code also}. */
    ScalerRole scaler(ScalerOptions options, Consumer<Event> also) throws Exception {
        EdgeClient edgeClient = new EdgeClient(URI.create("http://127.0.0.1:" + edgeApi.address().getPort()), TOKEN);
        return new ScalerRole(config, lifecycle -> new ProcessDriver(config, prefix, dir.resolve("work"), lifecycle),
                edgeClient, options, Clock.system(), e -> {
                    events.add(e);
                    also.accept(e);
                });
    }

    /** What a loop test does once the pool's first instance serves and the policy runs. */
    interface Scenario {
        void run(Publisher loads, Publisher alarms) throws Exception;
    }

    /**
     * The whole loop: a broker with channels scale, alarms and actions; the scaler publishing on
     * scale behind its API; the policy role running examples/policies/scaling.yaml, rewritten by
     * {@code policy} and pointed at that API, with its audit trail in {@code dir/audit.jsonl}.
     */
    void loop(ScalerOptions options, UnaryOperator<String> policy, Scenario scenario) throws Exception {
        Path token = dir.resolve("scaler-api.token");
        try (Broker broker = Broker.open(dir.resolve("broker"), Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("scale", "alarms", "actions")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            try (Publisher scale = admin.publisher("scale");
                 Publisher loads = admin.publisher("scale");
                 Publisher alarms = admin.publisher("alarms");
                 ScalerRole scaler = scaler(options, scale::publish);
                 ScalerApi api = new ScalerApi(new InetSocketAddress("127.0.0.1", 0), BearerToken.loadOrCreate(token), scaler)) {
                String text = policy.apply(Files.readString(Path.of("../examples/policies/scaling.yaml")))
                        .replace("http://127.0.0.1:8091/actions", "http://127.0.0.1:" + api.address().getPort() + "/actions")
                        .replace("token-file: scaler-api.token", "token-file: \"" + token + "\"");
                try (PolicyRole role = new PolicyRole(admin, Policy.parse("scaling.yaml", text), List.of("scale", "alarms"), "actions",
                        dir.resolve("audit.jsonl"), false, Clock.system())) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> serving().size() == 1);
                    scenario.run(loads, alarms);
                }
            }
        }
    }

    interface Decode<T> {
        T from(Event e) throws EventFormatException;
    }

    /** The scaler's events of one type so far, decoded. */
    <T> List<T> of(String type, Decode<T> decode) throws EventFormatException {
        List<T> out = new ArrayList<>();
        for (Event e : events) {
            if (e.type().equals(type)) {
                out.add(decode.from(e));
            }
        }
        return out;
    }

    List<InstanceChange> serving() throws EventFormatException {
        return of(ScaleEvents.INSTANCE.name(), InstanceChange::from).stream().filter(c -> c.to().equals("serving")).toList();
    }

    /** The audit trail's events of a type (read while the role appends: a torn last line throws, and a wait reads again). */
    List<Event> audit(String type) throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        List<Event> out = new ArrayList<>();
        if (Files.exists(trail)) {
            for (String line : Files.readAllLines(trail)) {
                Event e = EventCodec.decode(line);
                if (e.type().equals(type)) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        try {
            edgeApi.close();
            edge.close();
        } finally {
            ProcessDriver.cleanup(prefix);
        }
    }
}
