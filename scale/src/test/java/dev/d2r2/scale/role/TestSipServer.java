package dev.d2r2.scale.role;

import dev.d2r2.core.HostPort;
import dev.d2r2.sip.server.SipServer;

import java.util.concurrent.CountDownLatch;

/** What {@code d2r2 sip-server --listen HOST:PORT} runs (the CLI lives in app), as an instance's command in tests. */
public final class TestSipServer {
    private TestSipServer() {
    }

    public static void main(String[] args) throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        try (SipServer server = new SipServer(HostPort.parse(args[0]), 0, 0)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            System.out.println("listening on " + args[0]);
            stopped.await();
        }
    }
}
