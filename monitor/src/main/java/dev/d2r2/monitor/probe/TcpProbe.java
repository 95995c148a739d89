package dev.d2r2.monitor.probe;

import dev.d2r2.core.HostPort;
import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import dev.d2r2.monitor.ProbeConfig;
import dev.d2r2.monitor.ProbeKind;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;

/** {@code kind: tcp}: the time to open a TCP connection to {@code target} (host:port), as {@code connect_ms}. */
public final class TcpProbe implements Probe {
    private final InetSocketAddress target;

    TcpProbe(InetSocketAddress target) {
        this.target = target;
    }

    @Override
    public Measurement measure(Duration timeout) throws ProbeException {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(target, (int) Math.max(1, timeout.toMillis()));
            return Measurement.of(Map.of("connect_ms", (System.nanoTime() - t0) / 1e6));
        } catch (IOException e) {
            throw new ProbeException("connect to " + target.getHostString() + ":" + target.getPort() + ": " + e.getMessage(), e);
        }
    }

    public static final class Kind implements ProbeKind {
        @Override
        public String key() {
            return "tcp";
        }

        @Override
        public void validate(ProbeConfig c) {
            c.requireOnly("target");
            HostPort.parse(c.requireTarget("host:port"));
        }

        @Override
        public Probe create(ProbeConfig c) {
            return new TcpProbe(HostPort.parse(c.target()));
        }
    }
}
