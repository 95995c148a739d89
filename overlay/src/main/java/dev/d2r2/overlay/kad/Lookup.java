package dev.d2r2.overlay.kad;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One iterative lookup as a state machine with no clock or socket of its own: the node asks it
 * whom to query next ({@link #next}), feeds it answers and failures, and reads the result when it
 * is {@link #done}. It keeps a shortlist sorted by distance to the target, at most α queries in
 * flight, and ends when the k closest contacts not known to have failed have all answered (or,
 * looking for a value, when a valid one arrives; or at its deadline).
 */
final class Lookup {
    enum State { NEW, ASKED, ANSWERED, FAILED }

    private static final class Candidate {
        final Contact contact;
        final int hop;
        State state = State.NEW;

        Candidate(Contact contact, int hop) {
            this.contact = contact;
            this.hop = hop;
        }
    }

    final NodeId target;
    final boolean forValue;
    private final NodeId self;
    private final int k;
    private final int alpha;
    private final int maxHops;
    final long deadline;
    private final List<Candidate> shortlist = new ArrayList<>();
    private final Map<NodeId, Candidate> byId = new HashMap<>();
    private int inFlight;
    private int queries;
    private SignedValue value;
    private int valueHop;

    Lookup(NodeId self, NodeId target, boolean forValue, int k, int alpha, int maxHops, long deadline, List<Contact> seeds) {
        this.self = self;
        this.target = target;
        this.forValue = forValue;
        this.k = k;
        this.alpha = alpha;
        this.maxHops = maxHops;
        this.deadline = deadline;
        for (Contact c : seeds) {
            offer(c, 1);
        }
    }

    private void offer(Contact c, int hop) {
        if (hop > maxHops || c.id().equals(self) || byId.containsKey(c.id())) {
            return;
        }
        Candidate cand = new Candidate(c, hop);
        byId.put(c.id(), cand);
        int lo = 0;
        int hi = shortlist.size();
        while (lo < hi) {
            int m = (lo + hi) >>> 1;
            if (target.compareDistance(shortlist.get(m).contact.id(), c.id()) < 0) {
                lo = m + 1;
            } else {
                hi = m;
            }
        }
        shortlist.add(lo, cand);
    }

    /** The contacts to query now: new ones among the k closest live candidates, up to α in flight. */
    List<Contact> next() {
        List<Contact> ask = new ArrayList<>();
        if (done(Long.MIN_VALUE)) {
            return ask;
        }
        int live = 0;
        for (Candidate c : shortlist) {
            if (inFlight >= alpha || live >= k) {
                break;
            }
            if (c.state == State.FAILED) {
                continue;
            }
            live++;
            if (c.state == State.NEW) {
                c.state = State.ASKED;
                inFlight++;
                queries++;
                ask.add(c.contact);
            }
        }
        return ask;
    }

    void answered(NodeId from, List<Contact> closer) {
        Candidate c = asked(from);
        if (c == null) {
            return;
        }
        c.state = State.ANSWERED;
        for (Contact n : closer) {
            offer(n, c.hop + 1);
        }
    }

    /** A valid value came back (the node checked its signature and key); the newest one wins. */
    void found(NodeId from, SignedValue v) {
        Candidate c = asked(from);
        if (c == null) {
            return;
        }
        c.state = State.ANSWERED;
        if (value == null || v.seq() > value.seq()) {
            value = v;
            valueHop = c.hop;
        }
    }

    void failed(NodeId from) {
        Candidate c = asked(from);
        if (c != null) {
            c.state = State.FAILED;
        }
    }

    private Candidate asked(NodeId from) {
        Candidate c = byId.get(from);
        if (c == null || c.state != State.ASKED) {
            return null;
        }
        inFlight--;
        return c;
    }

    boolean done(long now) {
        if (value != null || now >= deadline) {
            return true;
        }
        if (inFlight > 0) {
            return false;
        }
        int live = 0;
        for (Candidate c : shortlist) {
            if (live >= k) {
                break;
            }
            if (c.state == State.NEW) {
                return false;
            }
            if (c.state == State.ANSWERED) {
                live++;
            }
        }
        return true;
    }

    /** The k closest contacts that answered, closest first. */
    List<Contact> closest() {
        List<Contact> out = new ArrayList<>(k);
        for (Candidate c : shortlist) {
            if (out.size() >= k) {
                break;
            }
            if (c.state == State.ANSWERED) {
                out.add(c.contact);
            }
        }
        return out;
    }

    /** The number of steps from this node to the closest node that answered (or to the value's holder). */
    int hops() {
        if (value != null) {
            return valueHop;
        }
        for (Candidate c : shortlist) {
            if (c.state == State.ANSWERED) {
                return c.hop;
            }
        }
        return 0;
    }

    int queries() {
        return queries;
    }

    SignedValue value() {
        return value;
    }
}
