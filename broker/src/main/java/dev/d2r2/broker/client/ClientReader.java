package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.FrameHandler;
import dev.d2r2.broker.wire.Frames;
import dev.d2r2.broker.wire.ProtocolException;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The connection's reader thread: routes each frame to its request, publisher or subscription.
 * Handlers run here, so a slow handler stops the reading (back-pressure). A refusal or an end
 * saying the broker is {@link ErrorCode#UNAVAILABLE} stops it like a lost connection (the client
 * fails over), before any later ACK could claim the refused events were taken.
 */
final class ClientReader implements FrameHandler {
    private final DataInputStream in;
    private final PendingRequests requests;
    private final Map<Integer, RemotePublisher> publishers;
    private final Map<Integer, RemoteSubscription> subscriptions;
    private final Consumer<BrokerException> onFailure;
    private final Thread thread;

    ClientReader(DataInputStream in, PendingRequests requests, Map<Integer, RemotePublisher> publishers,
                 Map<Integer, RemoteSubscription> subscriptions, Consumer<BrokerException> onFailure) {
        this.in = in;
        this.requests = requests;
        this.publishers = publishers;
        this.subscriptions = subscriptions;
        this.onFailure = onFailure;
        this.thread = Thread.ofPlatform().daemon().name("d2r2-client-reader").unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Waits until the thread has handled its last frame (after the connection was closed). */
    void awaitExit() {
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        byte[] reuse = new byte[64 * 1024];
        try {
            while (true) {
                // Every frame is handled (what is kept, copied) before the next is read into the same array.
                ByteBuffer f = Frames.read(in, Frames.MAX_FRAME_BYTES, reuse);
                if (f == null) {
                    onFailure.accept(new BrokerException(ErrorCode.DISCONNECTED, "broker closed the connection"));
                    return;
                }
                Frames.decode(f, this);
            }
        } catch (IOException e) {
            onFailure.accept(ClientWriter.lost(e));
        } catch (ProtocolException e) {
            onFailure.accept(new BrokerException(ErrorCode.BAD_REQUEST, "broker sent a malformed frame: " + e.getMessage()));
        } catch (BrokerException e) {
            onFailure.accept(e);
        }
    }

    @Override
    public void onResponse(int request, int status, byte[] body) {
        requests.answered(request, status, body);
    }

    @Override
    public void onAck(int publisher, long sequence) {
        RemotePublisher p = publishers.get(publisher);
        if (p != null) {
            p.acked(sequence);
        }
    }

    @Override
    public void onRefused(int publisher, long sequence, int code, String why) {
        if (code == ErrorCode.UNAVAILABLE.code()) {
            throw new BrokerException(ErrorCode.UNAVAILABLE, why);
        }
        RemotePublisher p = publishers.get(publisher);
        if (p != null) {
            p.refused(sequence, new BrokerException(ErrorCode.of(code), why));
        }
    }

    @Override
    public void onDeliver(int subscription, long offset, long time, Envelope envelope) {
        RemoteSubscription s = subscriptions.get(subscription);
        if (s != null) {
            s.deliver(offset, time, envelope);
        }
    }

    @Override
    public void onDigest(int subscription, long offset, long time, String publisher, long sequence, byte[] digest) {
        RemoteSubscription s = subscriptions.get(subscription);
        if (s != null) {
            s.digest(offset, publisher, sequence, digest);
        }
    }

    @Override
    public void onMissing(int subscription, long fromOffset, long toOffset, long count, long fromTime, long toTime) {
        RemoteSubscription s = subscriptions.get(subscription);
        if (s != null) {
            s.missing(new MissingNotice(s.channel(), fromOffset, toOffset, count, fromTime, toTime));
        }
    }

    @Override
    public void onEnded(int subscription, int code, String why) {
        if (code == ErrorCode.UNAVAILABLE.code()) {
            throw new BrokerException(ErrorCode.UNAVAILABLE, why);
        }
        RemoteSubscription s = subscriptions.remove(subscription);
        if (s != null) {
            s.ended(new BrokerException(ErrorCode.of(code), why));
        }
    }

    @Override
    public void onError(int code, String why) {
        throw new BrokerException(ErrorCode.of(code), why);
    }
}
