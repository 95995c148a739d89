package dev.d2r2.sip.server;

/** Where a {@link SipServer} tells its confirmed calls and their end, for its peers to replicate. */
public interface Replication {
    Replication NONE = new Replication() {
        @Override
        public void started(String callId) {
        }

        @Override
        public void ended(String callId) {
        }
    };

    /** A call was confirmed (its ACK came). */
    void started(String callId);

    /** A call ended by a BYE, on its server or on a peer holding its replica. */
    void ended(String callId);
}
