package dev.d2r2.bft;

import java.util.Arrays;

/**
 * The latest NEW-VIEW of every replica, this one included: the view it announced and the
 * certificate it sent. What view synchronisation and the leader's PREPARE phase read.
 */
final class Announcements {
    private final long[] views;
    private final QuorumCert[] certificates;
    private final long[] sorted;

    Announcements(int replicas) {
        views = new long[replicas];
        certificates = new QuorumCert[replicas];
        sorted = new long[replicas];
    }

    /** Records a NEW-VIEW unless the replica already announced a later view. */
    void record(int replica, long view, QuorumCert certificate) {
        if (view >= views[replica]) {
            views[replica] = view;
            certificates[replica] = certificate;
        }
    }

    long viewOf(int replica) {
        return views[replica];
    }

    /** The highest view that at least {@code replicas} replicas announced (it or a later one). */
    long reachedBy(int replicas) {
        System.arraycopy(views, 0, sorted, 0, views.length);
        Arrays.sort(sorted);
        return sorted[sorted.length - replicas];
    }

    int countAt(long view) {
        int count = 0;
        for (long v : views) {
            if (v == view) {
                count++;
            }
        }
        return count;
    }

    /** Of the replicas that announced {@code view}, the one that sent the highest certificate; -1 if none. */
    int highestAt(long view) {
        int best = -1;
        for (int r = 0; r < views.length; r++) {
            if (views[r] == view && (best < 0 || certificates[r].view() > certificates[best].view())) {
                best = r;
            }
        }
        return best;
    }

    QuorumCert certificateOf(int replica) {
        return certificates[replica];
    }
}
