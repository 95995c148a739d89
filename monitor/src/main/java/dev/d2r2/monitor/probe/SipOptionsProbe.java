package dev.d2r2.monitor.probe;

import dev.d2r2.core.HostPort;
import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import dev.d2r2.monitor.ProbeConfig;
import dev.d2r2.monitor.ProbeKind;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code kind: sip-options}: sends a SIP OPTIONS request (RFC 3261 §11) to {@code target} —
 * {@code host:port} or {@code sip:host:port;transport=tcp} (UDP by default) — and reports the
 * final response's {@code code} and the round-trip time {@code rtt_ms}. Over UDP the request is
 * retransmitted as RFC 3261's timer E does (500 ms, doubling) until the timeout; provisional
 * responses are skipped; a response to another request (other Call-ID) is ignored.
 */
public final class SipOptionsProbe implements Probe {
    private final InetSocketAddress target;
    private final boolean tcp;

    SipOptionsProbe(InetSocketAddress target, boolean tcp) {
        this.target = target;
        this.tcp = tcp;
    }

    @Override
    public Measurement measure(Duration timeout) throws ProbeException {
        if (!tcp) {
            try {
                return overUdp(timeout).join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof ProbeException p ? p : new ProbeException(String.valueOf(e.getCause()), e);
            }
        }
        try {
            return overTcp(timeout);
        } catch (SocketTimeoutException e) {
            throw new ProbeException("no final response to OPTIONS from " + where() + " within " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new ProbeException("OPTIONS to " + where() + ": " + e.getMessage(), e);
        }
    }

    /** Over UDP no thread waits: the shared {@link SipUdpPinger} sends, retransmits and matches the answer. */
    @Override
    public java.util.concurrent.CompletionStage<Measurement> measureAsync(Duration timeout, java.util.concurrent.Executor blocking) {
        return tcp ? Probe.super.measureAsync(timeout, blocking) : overUdp(timeout);
    }

    private java.util.concurrent.CompletableFuture<Measurement> overUdp(Duration timeout) {
        SipUdpPinger pinger = SipUdpPinger.INSTANCE;
        String callId = token() + "@d2r2";
        String local = java.net.InetAddress.getLoopbackAddress().getHostAddress();
        return pinger.ping(target, callId, request("UDP", local, pinger.localPort(), callId), timeout);
    }

    private String where() {
        return target.getHostString() + ":" + target.getPort() + (tcp ? " (TCP)" : " (UDP)");
    }

    private Measurement overTcp(Duration timeout) throws IOException, ProbeException {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(target, (int) Math.max(1, timeout.toMillis()));
            String callId = token() + "@d2r2";
            s.getOutputStream().write(request("TCP", s.getLocalAddress().getHostAddress(), s.getLocalPort(), callId));
            InputStream in = s.getInputStream();
            while (true) {
                long left = timeout.toMillis() - (System.nanoTime() - start) / 1_000_000;
                if (left <= 0) {
                    throw new SocketTimeoutException();
                }
                s.setSoTimeout((int) left);
                String response = readMessage(in);
                int code = finalCode(response, callId);
                if (code > 0) {
                    return result(code, start);
                }
            }
        }
    }

    /** One SIP message from a stream: the head up to the blank line, then Content-Length bytes of body. */
    private static String readMessage(InputStream in) throws IOException, ProbeException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new ProbeException("the server closed the connection before a final response");
            }
            if (head.length() > 65_536) {
                throw new ProbeException("response head larger than 64 KiB");
            }
            head.append((char) c);
        }
        String h = head.toString();
        long length = 0;
        for (String line : h.split("\r\n")) {
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon).strip();
            if (name.equalsIgnoreCase("Content-Length") || name.equals("l")) {
                length = Long.parseLong(line.substring(colon + 1).strip());
            }
        }
        in.skipNBytes(length);
        return h;
    }

    private static Measurement result(int code, long start) {
        return Measurement.of(Map.of("code", (double) code, "rtt_ms", (System.nanoTime() - start) / 1e6));
    }

    /** The status code of a final response to our Call-ID; 0 for anything else. */
    static int finalCode(String message, String callId) throws ProbeException {
        if (!message.startsWith("SIP/2.0 ") || !callId.equals(callId(message))) {
            return 0;
        }
        try {
            int code = Integer.parseInt(message.substring(8, 11));
            return code >= 200 ? code : 0;
        } catch (RuntimeException e) {
            throw new ProbeException("malformed status line: " + message.lines().findFirst().orElse(""));
        }
    }

    /** The value of the {@code Call-ID} header (or its compact form {@code i}), or null. */
    static String callId(String message) {
        int start = 0;
        while (start < message.length()) {
            int end = message.indexOf("\r\n", start);
            if (end < 0) {
                end = message.length();
            }
            if (end == start) {
                return null;
            }
            int colon = message.indexOf(':', start);
            if (colon > start && colon < end) {
                String name = message.substring(start, colon).strip();
                if (name.equalsIgnoreCase("Call-ID") || name.equals("i")) {
                    return message.substring(colon + 1, end).strip();
                }
            }
            start = end + 2;
        }
        return null;
    }

    private byte[] request(String transport, String localHost, int localPort, String callId) {
        String uri = "sip:" + (target.getHostString().contains(":") ? "[" + target.getHostString() + "]" : target.getHostString())
                + ":" + target.getPort();
        String local = (localHost.contains(":") ? "[" + localHost + "]" : localHost) + ":" + localPort;
        return ("OPTIONS " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " " + local + ";branch=z9hG4bK" + token() + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:d2r2-probe@" + local + ">;tag=" + token() + "\r\n"
                + "To: <" + uri + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Contact: <sip:d2r2-probe@" + local + ";transport=" + transport.toLowerCase(java.util.Locale.ROOT) + ">\r\n"
                + "Accept: application/sdp\r\n"
                + "User-Agent: d2r2\r\n"
                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String token() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    public static final class Kind implements ProbeKind {
        @Override
        public String key() {
            return "sip-options";
        }

        @Override
        public String defaultName(ProbeConfig c) {
            return "sip";
        }

        @Override
        public void validate(ProbeConfig c) {
            c.requireOnly("target");
            parse(c.requireTarget("host:port or sip:host:port;transport=tcp"));
        }

        /** Where to send OPTIONS, and over which transport. */
        record Destination(InetSocketAddress address, boolean tcp) {
        }

        static Destination parse(String target) {
            String t = target;
            boolean tcp = false;
            if (t.startsWith("sip:")) {
                t = t.substring(4);
                int semi = t.indexOf(';');
                if (semi >= 0) {
                    String params = t.substring(semi + 1).toLowerCase(java.util.Locale.ROOT);
                    t = t.substring(0, semi);
                    for (String p : params.split(";")) {
                        if (p.equals("transport=tcp")) {
                            tcp = true;
                        } else if (!p.equals("transport=udp")) {
                            throw new IllegalArgumentException("unsupported parameter " + p + " (transport=udp or transport=tcp)");
                        }
                    }
                }
            }
            if (!t.matches(".*:\\d+$") || t.startsWith("[") && !t.matches("\\[.*]:\\d+")) {
                t = t + ":5060";
            }
            return new Destination(HostPort.parse(t), tcp);
        }

        @Override
        public Probe create(ProbeConfig c) {
            Destination d = parse(c.target());
            return new SipOptionsProbe(d.address(), d.tcp());
        }
    }
}
