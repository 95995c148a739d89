package dev.d2r2.broker.server;

import dev.d2r2.broker.ChannelConfig;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.Identity;
import dev.d2r2.broker.wire.ControlReply;
import dev.d2r2.broker.wire.ControlRequest;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries out one session's control requests for its authenticated identity, and keeps what they
 * open: publisher handles and subscriptions. Reader thread only, but for {@link #subscriptionEnded}
 * and {@link #closeAll}.
 */
final class SessionRequests {
    private final Broker broker;
    private final Identity identity;
    private final DeliveryPump pump;
    private final Map<Integer, OpenPublisher> publishers = new HashMap<>();
    private final Map<Integer, ServerSubscription> subscriptions = new ConcurrentHashMap<>();
    private int nextHandle;
    /** A subscription to start once the reply that opened it is written (the reply comes first). */
    private ServerSubscription toStart;
    /** A subscription whose copies change once the reply is written, and the change. */
    private ServerSubscription toChange;
    private DigestCopies.Change change;
    private static final String NO_DIGESTS_ON_PKE = "digest copies need the same payload at every replica;"
            + " a PKE channel's events are encrypted under each replica's own nonce";

    SessionRequests(Broker broker, Identity identity, DeliveryPump pump) {
        this.broker = broker;
        this.identity = identity;
        this.pump = pump;
    }

    /** The reply to {@code r}; a refusal is thrown as a BrokerException, a bad request as an IllegalArgumentException. */
    ControlReply handle(ControlRequest r) {
        return switch (r) {
            case ControlRequest.Register g -> new ControlReply.Registered(broker.register(identity, g.name(),
                    g.publicKey() == null ? null : Crypto.publicKey(g.publicKey()), g.admin()));
            case ControlRequest.CreateChannel c -> {
                broker.createChannel(identity, c.channel().toSpec());
                yield new ControlReply.Done();
            }
            case ControlRequest.AlterChannel a -> {
                broker.alterChannel(identity, a.channel().toSpec());
                yield new ControlReply.Done();
            }
            case ControlRequest.DeleteChannel d -> {
                broker.deleteChannel(identity, d.tag());
                yield new ControlReply.Done();
            }
            case ControlRequest.RevokeIdentity v -> {
                broker.revokeIdentity(identity, v.name());
                yield new ControlReply.Done();
            }
            case ControlRequest.SignedControl c -> new ControlReply.Applied(broker.submitSigned(identity, c.command()));
            case ControlRequest.ListChannels l ->
                    new ControlReply.ChannelList(broker.channels(identity).stream().map(ChannelConfig::of).toList());
            case ControlRequest.ShowChannel s -> new ControlReply.ChannelShown(ChannelConfig.of(broker.channel(identity, s.tag())));
            case ControlRequest.ReadLogSpan l -> new ControlReply.LogSpanRead(broker.logSpan(identity, l.tag()));
            case ControlRequest.OpenPublisher o -> {
                ChannelRuntime ch = broker.openPublisher(identity, o.tag());
                int handle = ++nextHandle;
                publishers.put(handle, new OpenPublisher(handle, ch));
                yield new ControlReply.PublisherOpened(handle, ch.spec().channelClass().protection(), ch.key());
            }
            case ControlRequest.ClosePublisher c -> {
                publishers.remove(c.handle());
                yield new ControlReply.Done();
            }
            case ControlRequest.Subscribe s -> {
                if (subscriptions.containsKey(s.subscription())) {
                    throw new IllegalArgumentException("subscription id " + s.subscription() + " is in use");
                }
                ServerSubscription sub = broker.subscribe(identity, s.tag(), s.start(), pump, s.subscription());
                if (s.digestCopies()) {
                    if (!digestsAllowed(sub)) {
                        broker.unsubscribe(sub);
                        throw new IllegalArgumentException(NO_DIGESTS_ON_PKE);
                    }
                    sub.copies.request(new DigestCopies.Change(true, -1));
                }
                subscriptions.put(sub.id, sub);
                toStart = sub;
                yield new ControlReply.Subscribed(sub.id, sub.channel.key(), sub.firstOffset < 0 ? null : sub.firstOffset);
            }
            case ControlRequest.Copies c -> {
                ServerSubscription sub = subscriptions.get(c.subscription());
                if (sub == null) {
                    throw new IllegalArgumentException("no subscription " + c.subscription() + " on this connection");
                }
                if (c.digests() && !digestsAllowed(sub)) {
                    throw new IllegalArgumentException(NO_DIGESTS_ON_PKE);
                }
                toChange = sub;
                change = new DigestCopies.Change(c.digests(), c.resendFrom() == null ? -1 : c.resendFrom());
                yield new ControlReply.Done();
            }
            case ControlRequest.Unsubscribe u -> {
                ServerSubscription sub = subscriptions.remove(u.subscription());
                if (sub != null) {
                    broker.unsubscribe(sub);
                }
                yield new ControlReply.Done();
            }
        };
    }

    /**
     * PKE seals encrypt the payload under a nonce of their own at each replica: digests of the
     * ciphertexts could never match.
     */
    private static boolean digestsAllowed(ServerSubscription sub) {
        return sub.channel.spec().channelClass().protection() != Protection.PKE;
    }

    /**
     * After the reply is written: starts delivering to a subscription it opened, or changes its
     * copies (the reply then comes before the events sent again).
     */
    void replied() {
        if (toStart != null) {
            pump.add(toStart);
            toStart = null;
        }
        if (toChange != null) {
            toChange.copies.request(change);
            toChange.pump.wakeUp();
            toChange = null;
            change = null;
        }
    }

    /** Whether the session has no publisher and no subscription open (it may then be closed when idle). */
    boolean holdsNothing() {
        return publishers.isEmpty() && subscriptions.isEmpty();
    }

    OpenPublisher publisher(int handle) {
        return publishers.get(handle);
    }

    void subscriptionEnded(ServerSubscription sub) {
        subscriptions.remove(sub.id);
    }

    void closeAll() {
        for (ServerSubscription s : subscriptions.values()) {
            broker.unsubscribe(s);
        }
        subscriptions.clear();
    }
}
