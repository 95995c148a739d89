package dev.d2r2.broker;

import java.security.PublicKey;
import java.util.List;

/**
 * The broker's client API, the same over both transports: in-process ({@code Broker#connect})
 * and network ({@code RemoteBrokerClient}). A client is one authenticated identity.
 *
 * <p>Every method throws {@link BrokerException} when the broker refuses.
 */
public interface BrokerClient extends AutoCloseable {
    /** The identity this client authenticated as. */
    String identity();

    /** Registers a new identity (admin only); returns its shared secret, to be kept by the holder. */
    byte[] register(String name, PublicKey signingKey, boolean admin);

    void createChannel(ChannelSpec spec);

    /** Replaces a channel's class and access lists; its tag and log stay. */
    void alterChannel(ChannelSpec spec);

    /** Deletes a channel (admin only): its subscribers are told, its log stays on the broker's disk. */
    void deleteChannel(String tag);

    /** Revokes an identity (admin only): its sessions are closed and its later connects refused. */
    void revokeIdentity(String name);

    /**
     * Submits a control command signed by an administrator to a Byzantine cluster's replica
     * (module {@code cluster}, {@code SignedCommand.sign}); returns what it did once it is decided
     * and applied at this replica.
     */
    String submitSigned(byte[] signedCommand);

    List<ChannelSpec> channels();

    ChannelSpec channel(String tag);

    /**
     * What a persistent channel's log holds now: where a reader of its past must stop to have read
     * it as it was. Null when the log has no record. Needs the right to subscribe to the channel.
     *
     * @throws BrokerException NOT_PERSISTENT when the channel keeps no log
     */
    LogSpan logSpan(String tag);

    /** Opens a publisher on a channel; authorisation is checked here and on every publish. */
    Publisher publisher(String tag);

    /** Subscribes to a channel; events are pushed to {@code handler} on a thread of the client's. */
    Subscription subscribe(String tag, StartPosition start, DeliveryHandler handler);

    @Override
    void close();
}
