package dev.d2r2.overlay.kad;

/** A node's counters, read by its owner thread (or after it stopped). */
public final class KadStats {
    long received;
    long sent;
    long timeouts;
    long unexpected;
    long lookups;
    long lookupsTimedOut;
    long storesAccepted;
    long storesRejected;
    long forgedValues;
    long expired;
    long valueRequestsRefused;
    long contactsRefused;

    public long received() {
        return received;
    }

    public long sent() {
        return sent;
    }

    /** Queries that got no answer in time. */
    public long timeouts() {
        return timeouts;
    }

    /** Replies that matched no query of ours (late, duplicated or forged), dropped. */
    public long unexpected() {
        return unexpected;
    }

    public long lookups() {
        return lookups;
    }

    public long lookupsTimedOut() {
        return lookupsTimedOut;
    }

    public long storesAccepted() {
        return storesAccepted;
    }

    /** Stores refused: bad signature, older than the held value, or store full. */
    public long storesRejected() {
        return storesRejected;
    }

    /** Values in answers whose signature or key did not check, dropped. */
    public long forgedValues() {
        return forgedValues;
    }

    public long expired() {
        return expired;
    }

    /** STORE and FIND_VALUE requests refused by a node that carries no values. */
    public long valueRequestsRefused() {
        return valueRequestsRefused;
    }

    /** Contacts kept out of the routing table because the node's admission refused their card ({@link KadNode#admitOnly}). */
    public long contactsRefused() {
        return contactsRefused;
    }
}
