package dev.d2r2.overlay.kad;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One k-bucket: at most k contacts, least recently seen first. A new contact for a full bucket
 * does not push anyone out: the least recently seen is pinged, and only if it fails to answer
 * within the time-out does it make room ("ping before evict": long-lived nodes stay, which is
 * what keeps a Kademlia table stable under churn). Contacts that could not get in wait in a
 * replacement cache of the same size, newest first.
 */
final class KBucket {
    private final int k;
    private final List<Entry> entries = new ArrayList<>();
    private final ArrayDeque<Contact> replacements = new ArrayDeque<>();
    private Contact pinged;
    private long pingDeadline = Long.MAX_VALUE;
    long lastLookup;

    private static final class Entry {
        final Contact contact;
        int failures;

        Entry(Contact contact) {
            this.contact = contact;
        }
    }

    KBucket(int k, long now) {
        this.k = k;
        this.lastLookup = now;
    }

    /**
     * A message came from this contact. Returns the contact to ping when the bucket is full and
     * its least recently seen member must prove it is alive, else null.
     */
    Contact seen(Contact c, long now, long pingTimeoutMillis) {
        int i = indexOf(c.id());
        if (i >= 0) {
            Entry e = entries.remove(i);
            e.failures = 0;
            entries.add(e);
            if (pinged != null && pinged.id().equals(c.id())) {
                pinged = null;
                pingDeadline = Long.MAX_VALUE;
            }
            return null;
        }
        if (entries.size() < k) {
            entries.add(new Entry(c));
            return null;
        }
        replacements.removeIf(r -> r.id().equals(c.id()));
        replacements.addFirst(c);
        if (replacements.size() > k) {
            replacements.removeLast();
        }
        if (pinged != null) {
            return null;
        }
        pinged = entries.getFirst().contact;
        pingDeadline = now + pingTimeoutMillis;
        return pinged;
    }

    /** A query to this contact went unanswered; after {@code maxFailures} in a row it leaves for a replacement. */
    void failed(NodeId id, int maxFailures) {
        int i = indexOf(id);
        if (i < 0) {
            replacements.removeIf(r -> r.id().equals(id));
            return;
        }
        if (++entries.get(i).failures >= maxFailures) {
            evict(i);
        }
    }

    long pingDeadline() {
        return pingDeadline;
    }

    /** The pinged contact did not answer in time: it goes, the newest replacement comes in. */
    void pingExpired(long now) {
        if (pinged == null || now < pingDeadline) {
            return;
        }
        int i = indexOf(pinged.id());
        pinged = null;
        pingDeadline = Long.MAX_VALUE;
        if (i >= 0) {
            evict(i);
        }
    }

    private void evict(int i) {
        Contact gone = entries.remove(i).contact;
        if (pinged != null && pinged.id().equals(gone.id())) {
            pinged = null;
            pingDeadline = Long.MAX_VALUE;
        }
        Contact next = replacements.pollFirst();
        if (next != null) {
            entries.add(new Entry(next));
        }
    }

    private int indexOf(NodeId id) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).contact.id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    boolean contains(NodeId id) {
        return indexOf(id) >= 0;
    }

    int size() {
        return entries.size();
    }

    /** Least recently seen first. */
    void addTo(List<Contact> out) {
        for (Entry e : entries) {
            out.add(e.contact);
        }
    }
}
