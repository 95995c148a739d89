package dev.d2r2.app.demo;

import dev.d2r2.scale.driver.Driver;
import dev.d2r2.scale.driver.DriverException;
import dev.d2r2.scale.driver.Instance;
import dev.d2r2.scale.driver.Lifecycle;
import dev.d2r2.scale.driver.Phases;
import dev.d2r2.sip.server.SipServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's scaler driver: an instance is a SIP server in the demo's process on a loopback port
 * (the demo runs in one process, without namespaces or cgroups: docs/demo.md). It adopts the
 * node's server the pool starts from, which it never stops: that one belongs to the node.
 */
final class LoopbackDriver implements Driver {
    private static final int MAX_CALLS = 2000;
    /** As the edge names its backends. */
    private static final String LOOPBACK = "127.0.0.1";

    private final Lifecycle lifecycle;
    private final Instance adopted;
    private final Map<String, SipServer> running = new LinkedHashMap<>();
    private int next = 1;

    LoopbackDriver(Lifecycle lifecycle, Instance adopted) {
        this.lifecycle = lifecycle;
        this.adopted = adopted;
    }

    @Override
    public synchronized Instance start(String type, String cloud, Phases phases) throws DriverException {
        String name = type + "-" + next++;
        phases.instance(name);
        SipServer server = phases.step(Phases.BOOT, () ->
                new SipServer(new InetSocketAddress(LOOPBACK, 0), 0, MAX_CALLS, name));
        Instance i;
        try {
            i = new Instance(name, type, cloud, LOOPBACK, server.address().getPort());
        } catch (IOException e) {
            closeQuietly(server);
            throw new DriverException("boot: " + e.getMessage(), e);
        }
        running.put(name, server);
        lifecycle.move(i, Lifecycle.STARTING, null);
        lifecycle.move(i, Lifecycle.RUNNING, null);
        return i;
    }

    /** A state-only clone: the servers keep their dialogs' replicas apart, so a clone starts with none. */
    @Override
    public Instance clone(Instance source, String cloud, Phases phases) throws DriverException {
        return start(source.type(), cloud, phases);
    }

    @Override
    public void drain(Instance instance) {
        lifecycle.move(instance, Lifecycle.DRAINING, null);
    }

    @Override
    public synchronized void stop(Instance instance, String why) throws DriverException {
        SipServer server = running.remove(instance.name());
        if (server == null && !instance.name().equals(adopted.name())) {
            throw new DriverException("no running instance " + instance.name() + " to stop");
        }
        if (server != null) {
            closeQuietly(server);
        }
        lifecycle.move(instance, Lifecycle.STOPPED, why);
    }

    @Override
    public synchronized List<Instance> list() {
        List<Instance> all = new ArrayList<>(List.of(adopted));
        running.forEach((name, s) -> {
            try {
                all.add(new Instance(name, adopted.type(), adopted.cloud(), LOOPBACK, s.address().getPort()));
            } catch (IOException e) {
                // a server that lost its socket is not running
            }
        });
        return all;
    }

    @Override
    public List<Instance> adopt() {
        lifecycle.move(adopted, Lifecycle.RUNNING, "the node's server");
        return List.of(adopted);
    }

    @Override
    public synchronized void close() {
        running.values().forEach(LoopbackDriver::closeQuietly);
        running.clear();
    }

    private static void closeQuietly(SipServer s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }
}
