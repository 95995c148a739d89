package dev.d2r2.broker.wire;

/**
 * What {@link Frames#decode} hands each decoded frame to. A side implements the frames it accepts;
 * any other frame is a protocol error. Arguments that are arrays or envelopes may point into the
 * frame's buffer, which the reader reuses: a handler copies what it keeps.
 */
public interface FrameHandler {
    default void onHello(int magic, int version, String identity) throws ProtocolException {
        throw unexpected(Frames.HELLO);
    }

    default void onAuth(byte[] proof) throws ProtocolException {
        throw unexpected(Frames.AUTH);
    }

    default void onRequest(int request, Op op, byte[] body) throws ProtocolException {
        throw unexpected(Frames.REQUEST);
    }

    default void onPublish(int publisher, Envelope envelope) throws ProtocolException {
        throw unexpected(Frames.PUBLISH);
    }

    default void onForward(int publisher, Envelope envelope) throws ProtocolException {
        throw unexpected(Frames.FORWARD);
    }

    default void onChallenge(byte[] nonce) throws ProtocolException {
        throw unexpected(Frames.CHALLENGE);
    }

    default void onResponse(int request, int status, byte[] body) throws ProtocolException {
        throw unexpected(Frames.RESPONSE);
    }

    default void onAck(int publisher, long sequence) throws ProtocolException {
        throw unexpected(Frames.ACK);
    }

    default void onRefused(int publisher, long sequence, int code, String why) throws ProtocolException {
        throw unexpected(Frames.REFUSED);
    }

    default void onDeliver(int subscription, long offset, long time, Envelope envelope) throws ProtocolException {
        throw unexpected(Frames.DELIVER);
    }

    default void onDigest(int subscription, long offset, long time, String publisher, long sequence, byte[] digest)
            throws ProtocolException {
        throw unexpected(Frames.DIGEST);
    }

    default void onMissing(int subscription, long fromOffset, long toOffset, long count, long fromTime, long toTime)
            throws ProtocolException {
        throw unexpected(Frames.MISSING);
    }

    default void onEnded(int subscription, int code, String why) throws ProtocolException {
        throw unexpected(Frames.ENDED);
    }

    default void onError(int code, String why) throws ProtocolException {
        throw unexpected(Frames.ERROR);
    }

    private static ProtocolException unexpected(byte type) {
        return new ProtocolException("unexpected frame type " + type);
    }
}
