package dev.d2r2.p2psip.contact;

import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.p2psip.tunnel.Relay;
import dev.d2r2.p2psip.tunnel.TunnelEnd;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What the last hop of an outbound tunnel does for the tunnel's owner: a STORE or FIND_VALUE in
 * the storage overlay on the owner's behalf (so the storage peers see the exit, never the
 * owner), or handing signalling data to another user's inbound entry point. The relay is
 * attached after it starts, since the relay needs its end to start.
 */
public final class TunnelExit implements TunnelEnd {
    private final OverlayNode storage;
    private final AtomicLong refused = new AtomicLong();
    private volatile Relay relay;

    public TunnelExit(OverlayNode storage) {
        this.storage = storage;
    }

    public void attach(Relay relay) {
        this.relay = relay;
    }

    @Override
    public void onData(byte[] data, Consumer<byte[]> reply) {
        ExitMessage m;
        try {
            m = ExitMessage.decode(data);
        } catch (IllegalArgumentException e) {
            refused.incrementAndGet();
            return;
        }
        switch (m) {
            case ExitMessage.Store s -> storage.put(s.value()).thenAccept(r ->
                    reply.accept(ExitMessage.encode(new ExitMessage.Stored(s.requestId(), r.stored()))));
            case ExitMessage.Find f -> storage.get(f.key()).thenAccept(r ->
                    reply.accept(ExitMessage.encode(new ExitMessage.Found(f.requestId(), r.value()))));
            case ExitMessage.Enter e -> relay.enter(e.entry().hop(), e.entry().entryId(), e.data());
            case ExitMessage.Stored _, ExitMessage.Found _ -> refused.incrementAndGet();
        }
    }

    /** Tunnel data that was not a request an exit runs (malformed, or an answer type), dropped. */
    public long refused() {
        return refused.get();
    }
}
