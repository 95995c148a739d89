package dev.d2r2.broker.server;

import dev.d2r2.broker.ChannelSpec;

import java.security.PublicKey;

/**
 * Where a replica's changes to identities and channels go instead of its own tables: the
 * cluster's replicated log. Each call returns once the change is committed and applied on this
 * replica (through the {@code Broker.apply...} entry points, as on every other replica), and
 * throws a {@link dev.d2r2.broker.BrokerException} when the cluster refused it. Secrets and
 * keys are drawn by the caller, so every replica applies the same bytes.
 */
public interface ReplicatedControl {
    void addIdentity(String name, byte[] secret, PublicKey signingKey, boolean admin);

    void createChannel(ChannelSpec spec, byte[] key);

    void alterChannel(ChannelSpec spec);

    void deleteChannel(String tag);

    void revokeIdentity(String name);

    /**
     * A control command signed by an administrator ({@code SignedCommand}, module {@code cluster}),
     * as a Byzantine cluster takes them; returns what it did once applied on this replica.
     */
    String submitSigned(byte[] command);

    /**
     * Brings this replica up to what the cluster has committed: a channel created through another
     * replica a moment ago is known here when this returns. Called when a client names a channel
     * this replica does not know, so that "created" means usable on every replica at once; a
     * cluster that cannot be asked leaves the replica as it was.
     */
    void catchUp();
}
