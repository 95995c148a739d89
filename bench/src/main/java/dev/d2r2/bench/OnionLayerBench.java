package dev.d2r2.bench;

import dev.d2r2.core.Clock;
import dev.d2r2.p2psip.tunnel.Cell;
import dev.d2r2.p2psip.tunnel.DataCell;
import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.LayerKeys;
import dev.d2r2.p2psip.tunnel.Payload;
import dev.d2r2.p2psip.tunnel.Relay;
import dev.d2r2.p2psip.tunnel.SetupOnion;
import dev.d2r2.p2psip.tunnel.Tunnel;
import dev.d2r2.p2psip.tunnel.TunnelEnd;
import dev.d2r2.p2psip.tunnel.X25519;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The CPU cost of Pr2-P2PSIP's onion layers (docs/p2psip.md#tunnels): setting up a layer (X25519,
 * HKDF, one AES-GCM record) and moving a cell through one (AES-GCM over the 891-byte payload), per
 * hop and at the origin; then a 3-hop tunnel between relays on loopback TLS: setup time and echo
 * round trips. Every loop is bounded by a count and by --seconds.
 * Usage: OnionLayerBench [--cells N] [--setups N] [--round-trips N] [--seconds S]
 */
public final class OnionLayerBench {
    private static final SecureRandom RANDOM = new SecureRandom();

    private OnionLayerBench() {
    }

    public static void main(String[] args) throws Exception {
        int cells = 20_000;
        int setups = 500;
        int roundTrips = 1_000;
        long seconds = 20;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--cells" -> cells = Integer.parseInt(args[i + 1]);
                case "--setups" -> setups = Integer.parseInt(args[i + 1]);
                case "--round-trips" -> roundTrips = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Long.parseLong(args[i + 1]);
                default -> {
                    System.err.println("usage: OnionLayerBench [--cells N] [--setups N] [--round-trips N] [--seconds S]");
                    System.exit(2);
                }
            }
        }
        long budgetNs = TimeUnit.SECONDS.toNanos(seconds);
        List<KeyPair> keys = new ArrayList<>();
        List<Hop> hops = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            KeyPair k = X25519.generate();
            keys.add(k);
            hops.add(new Hop(X25519.raw(k.getPublic()), new InetSocketAddress(InetAddress.getLoopbackAddress(), 4000 + i)));
        }
        System.out.printf("cell %d B, payload %d B (%d B of data), %d tag slots of 16 B%n", Cell.BYTES, DataCell.PAYLOAD_BYTES,
                Payload.MAX_DATA_BYTES, SetupOnion.MAX_HOPS);
        setupCost(keys, hops, setups, budgetNs);
        dataCost(keys, hops, cells, budgetNs);
        loopback(setups / 10, roundTrips, budgetNs);
    }

    private static void setupCost(List<KeyPair> keys, List<Hop> hops, int setups, long budgetNs) throws Exception {
        long buildNs = 0;
        long openNs = 0;
        int done = 0;
        long end = System.nanoTime() + budgetNs;
        while (done < setups && System.nanoTime() < end) {
            long t0 = System.nanoTime();
            SetupOnion.Built built = SetupOnion.build(hops, System.currentTimeMillis(), RANDOM);
            long t1 = System.nanoTime();
            SetupOnion.open(built.body(), keys.getFirst().getPrivate(), hops.getFirst().publicKey(), RANDOM);
            long t2 = System.nanoTime();
            buildNs += t1 - t0;
            openNs += t2 - t1;
            done++;
        }
        System.out.printf("setup, %d tunnels: origin %.1f µs per layer (X25519 key pair + agreement, HKDF, AES-GCM record); "
                + "hop %.1f µs to open its record%n", done, buildNs / 1e3 / done / hops.size(), openNs / 1e3 / done);
    }

    private static void dataCost(List<KeyPair> keys, List<Hop> hops, int cells, long budgetNs) throws Exception {
        SetupOnion.Built built = SetupOnion.build(hops, System.currentTimeMillis(), RANDOM);
        List<LayerKeys> layers = built.keys();
        Payload payload = new Payload(Payload.Kind.DATA, new byte[Payload.MAX_DATA_BYTES]);
        long sealNs = 0;
        long peelNs = 0;
        long wrapNs = 0;
        long openNs = 0;
        int done = 0;
        long end = System.nanoTime() + budgetNs;
        while (done < cells && System.nanoTime() < end) {
            long t0 = System.nanoTime();
            byte[] body = DataCell.sealForward(layers, done, payload, RANDOM);
            long t1 = System.nanoTime();
            for (LayerKeys k : layers) {
                DataCell.peel(k, done, body, RANDOM);
            }
            long t2 = System.nanoTime();
            byte[] back = DataCell.startBackward(payload, RANDOM);
            for (int i = layers.size() - 1; i >= 0; i--) {
                DataCell.wrap(layers.get(i), done, back);
            }
            long t3 = System.nanoTime();
            DataCell.openBackward(layers, done, back);
            long t4 = System.nanoTime();
            sealNs += t1 - t0;
            peelNs += t2 - t1;
            wrapNs += t3 - t2;
            openNs += t4 - t3;
            done++;
        }
        int n = layers.size();
        System.out.printf("data, %d cells through %d layers, µs per layer: origin seals %.2f, hop peels %.2f, hop wraps %.2f, "
                        + "origin opens %.2f%n", done, n, sealNs / 1e3 / done / n, peelNs / 1e3 / done / n, wrapNs / 1e3 / done / n,
                openNs / 1e3 / done / n);
    }

    private static void loopback(int tunnels, int roundTrips, long budgetNs) throws Exception {
        List<Relay> relays = new ArrayList<>();
        TunnelEnd echo = (data, reply) -> reply.accept(data);
        try {
            for (int i = 0; i < 4; i++) {
                relays.add(Relay.start("bench" + i, InetAddress.getLoopbackAddress(), Clock.system(), i == 3 ? echo : TunnelEnd.IGNORE));
            }
            Relay origin = relays.getFirst();
            List<Hop> path = relays.subList(1, 4).stream().map(Relay::self).toList();
            BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
            origin.build(path, got::add).get(30, TimeUnit.SECONDS);
            long end = System.nanoTime() + budgetNs;
            long[] setupNs = new long[Math.max(1, tunnels)];
            int built = 0;
            while (built < setupNs.length && System.nanoTime() < end) {
                long t0 = System.nanoTime();
                origin.build(path, got::add).get(10, TimeUnit.SECONDS);
                setupNs[built++] = System.nanoTime() - t0;
            }
            Tunnel t = origin.build(path, got::add).get(10, TimeUnit.SECONDS);
            long[] rttNs = new long[roundTrips];
            int trips = 0;
            byte[] data = new byte[100];
            while (trips < roundTrips && System.nanoTime() < end) {
                long t0 = System.nanoTime();
                t.send(data);
                if (got.poll(10, TimeUnit.SECONDS) == null) {
                    throw new IllegalStateException("no echo within 10 s");
                }
                rttNs[trips++] = System.nanoTime() - t0;
            }
            System.out.printf("loopback TLS, 3 hops: setup p50 %.2f ms over %d tunnels (links open); echo round trip p50 %.3f ms, "
                    + "p99 %.3f ms over %d%n", percentile(setupNs, built, 50) / 1e6, built, percentile(rttNs, trips, 50) / 1e6,
                    percentile(rttNs, trips, 99) / 1e6, trips);
        } finally {
            for (Relay r : relays) {
                r.close();
            }
        }
    }

    private static long percentile(long[] values, int count, int p) {
        long[] v = Arrays.copyOf(values, count);
        Arrays.sort(v);
        return v[Math.min(count - 1, (int) Math.ceil(p / 100.0 * count) - 1)];
    }
}
