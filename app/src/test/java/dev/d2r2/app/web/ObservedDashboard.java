package dev.d2r2.app.web;

import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/** For the dashboard's tests: a dashboard over an observatory, on a broker of its own. */
final class ObservedDashboard implements AutoCloseable {
    private final Broker broker;
    private Observatory observatory;
    private Dashboard dashboard;

    ObservedDashboard(Path data) throws IOException {
        broker = Broker.open(data, Clock.system());
        start(new InetSocketAddress("127.0.0.1", 0));
    }

    /** A new observatory and dashboard on {@code address}, as the process's dashboard starts (again). */
    void start(InetSocketAddress address) throws IOException {
        observatory = new Observatory(broker.connectLocal(Broker.ADMIN), List.of());
        dashboard = new Dashboard(address, observatory);
    }

    /** Stops the dashboard and its observatory; the broker stays. */
    void stop() {
        dashboard.close();
        observatory.close();
    }

    Observatory observatory() {
        return observatory;
    }

    Dashboard dashboard() {
        return dashboard;
    }

    @Override
    public void close() {
        stop();
        broker.close();
    }
}
