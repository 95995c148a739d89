package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;

/** An open client session, authenticated as one identity; revoking that identity ends it. */
interface AuthenticatedSession {
    String identityName();

    /** Tells the client why and closes the session, without holding up the caller on a client that does not read. */
    void revoked(BrokerException why);
}
