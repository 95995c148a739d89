package dev.d2r2.overlay.route;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node's part in limited flooding (ResumeNet D3.1c §5.3, [Har11]), without sockets: a
 * reachability check for a destination carries a ping contingent c. A node that receives it the
 * first time probes the destination (spending 1) and passes the rest on to its neighbours other
 * than the sender and the origin, each getting an integer share: ⌊r/n⌋, and the first r mod n
 * of them one more, so the shares add up to exactly r and the origin controls exactly how many
 * probes the flood costs (at most c). A node that has seen the flood's id before drops it
 * (duplicate suppression), so no node probes twice for one flood; a share of 0 is not sent.
 */
public final class Flooding {
    /** Where the flood's messages go. */
    public interface Out {
        void check(InetSocketAddress to, long floodId, InetSocketAddress origin, InetSocketAddress destination, int contingent);

        void probe(InetSocketAddress destination, long floodId);
    }

    private static final int REMEMBERED = 4096;

    private List<InetSocketAddress> neighbours;
    private final Out out;
    private final Map<Long, InetSocketAddress> seen = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, InetSocketAddress> eldest) {
            return size() > REMEMBERED;
        }
    };
    private long duplicates;
    private long probes;

    public Flooding(List<InetSocketAddress> neighbours, Out out) {
        this.neighbours = List.copyOf(neighbours);
        this.out = out;
    }

    /** New neighbours (the DHT's routing table changed): floods from now on go to them. */
    public void neighbours(List<InetSocketAddress> neighbours) {
        this.neighbours = List.copyOf(neighbours);
    }

    /** The origin's start: the whole contingent shared among all its neighbours (it knows its own path is broken). */
    public void start(long floodId, InetSocketAddress self, InetSocketAddress destination, int contingent) {
        seen.put(floodId, self);
        share(floodId, self, destination, contingent, neighbours);
    }

    public void onCheck(InetSocketAddress from, long floodId, InetSocketAddress origin, InetSocketAddress destination, int contingent) {
        if (seen.containsKey(floodId)) {
            duplicates++;
            return;
        }
        seen.put(floodId, origin);
        if (contingent < 1) {
            return;
        }
        out.probe(destination, floodId);
        probes++;
        List<InetSocketAddress> onward = new ArrayList<>(neighbours.size());
        for (InetSocketAddress n : neighbours) {
            if (!n.equals(from) && !n.equals(origin)) {
                onward.add(n);
            }
        }
        share(floodId, origin, destination, contingent - 1, onward);
    }

    private void share(long floodId, InetSocketAddress origin, InetSocketAddress destination, int rest, List<InetSocketAddress> to) {
        int[] shares = shares(rest, to.size());
        for (int i = 0; i < shares.length; i++) {
            if (shares[i] > 0) {
                out.check(to.get(i), floodId, origin, destination, shares[i]);
            }
        }
    }

    /** {@code c} split over {@code n}: ⌊c/n⌋ each, one more for the first c mod n. */
    static int[] shares(int c, int n) {
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = c / n + (i < c % n ? 1 : 0);
        }
        return s;
    }

    /** The origin of a flood this node took part in, or null. */
    public InetSocketAddress originOf(long floodId) {
        return seen.get(floodId);
    }

    public long duplicates() {
        return duplicates;
    }

    public long probes() {
        return probes;
    }
}
