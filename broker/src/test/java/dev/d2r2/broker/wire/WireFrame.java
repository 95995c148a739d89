package dev.d2r2.broker.wire;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Every frame type as a value, for tests: encoded with {@link Frames}' encoders, decoded by {@link #decode}. */
public sealed interface WireFrame {
    void writeTo(DataOutputStream out) throws IOException;

    record Hello(String identity) implements WireFrame {
        public void writeTo(DataOutputStream out) throws IOException {
            Frames.writeHello(out, identity);
        }
    }

    record Auth(byte[] proof) implements WireFrame {
        public void writeTo(DataOutputStream out) throws IOException {
            Frames.writeAuth(out, proof);
        }
    }

    record Request(int request, Op op, byte[] body) implements WireFrame {
        public void writeTo(DataOutputStream out) throws IOException {
            Frames.writeRequest(out, request, op, body);
        }
    }

    record Publish(int publisher, byte[] envelope) implements WireFrame {
        public void writeTo(DataOutputStream out) throws IOException {
            Frames.writePublish(out, publisher, parse(envelope));
        }
    }

    record Challenge(byte[] nonce) implements WireFrame {
        public void writeTo(DataOutputStream out) throws IOException {
            Frames.writeChallenge(out, nonce);
        }
    }

    record Response(int request, int status, byte[] body) implements WireFrame {
        public void writeTo(DataOutputStream out) throws IOException {
            Frames.writeResponse(out, request, status, body);
        }
    }

    record Ack(int publisher, long sequence) implements WireFrame {
        public void writeTo(DataOutputStream out) throws IOException {
            Frames.writeAck(out, publisher, sequence);
        }
    }

    record Refused(int publisher, long sequence, int code, String why) implements WireFrame {
        public void writeTo(DataOutputStream out) throws IOException {
            Frames.writeRefused(out, publisher, sequence, code, why);
        }
    }

    record Deliver(int subscription, long offset, long time, byte[] envelope) implements WireFrame {
        public void writeTo(DataOutputStream out) throws IOException {
            Frames.writeDeliver(out, subscription, offset, time, parse(envelope));
        }
    }

    record Digest(int subscription, long offset, long time, String publisher, long sequence, byte[] digest)
            implements WireFrame {
        public void writeTo(DataOutputStream out) throws IOException {
            Frames.writeDigest(out, subscription, offset, time, publisher.getBytes(StandardCharsets.UTF_8), sequence, digest);
        }
    }

    record Missing(int subscription, long fromOffset, long toOffset, long count, long fromTime, long toTime)
            implements WireFrame {
        public void writeTo(DataOutputStream out) throws IOException {
            Frames.writeMissing(out, subscription, fromOffset, toOffset, count, fromTime, toTime);
        }
    }

    record Ended(int subscription, int code, String why) implements WireFrame {
        public void writeTo(DataOutputStream out) throws IOException {
            Frames.writeEnded(out, subscription, code, why);
        }
    }

    record Error(int code, String why) implements WireFrame {
        public void writeTo(DataOutputStream out) throws IOException {
            Frames.writeError(out, code, why);
        }
    }

    /** The frame's bytes on the wire, length prefix included. */
    default byte[] bytes() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    private static Envelope parse(byte[] envelope) {
        try {
            return Envelope.parse(envelope);
        } catch (ProtocolException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Decodes one frame as {@link Frames#read} returns it. */
    static WireFrame decode(ByteBuffer frame) throws ProtocolException {
        WireFrame[] got = new WireFrame[1];
        Frames.decode(frame, new FrameHandler() {
            public void onHello(int magic, int version, String identity) throws ProtocolException {
                if (magic != Frames.MAGIC || version != Frames.VERSION) {
                    throw new ProtocolException("bad magic or version");
                }
                got[0] = new Hello(identity);
            }

            public void onAuth(byte[] proof) {
                got[0] = new Auth(proof);
            }

            public void onRequest(int request, Op op, byte[] body) {
                got[0] = new Request(request, op, body);
            }

            public void onPublish(int publisher, Envelope envelope) {
                got[0] = new Publish(publisher, envelope.bytes());
            }

            public void onChallenge(byte[] nonce) {
                got[0] = new Challenge(nonce);
            }

            public void onResponse(int request, int status, byte[] body) {
                got[0] = new Response(request, status, body);
            }

            public void onAck(int publisher, long sequence) {
                got[0] = new Ack(publisher, sequence);
            }

            public void onRefused(int publisher, long sequence, int code, String why) {
                got[0] = new Refused(publisher, sequence, code, why);
            }

            public void onDeliver(int subscription, long offset, long time, Envelope envelope) {
                got[0] = new Deliver(subscription, offset, time, envelope.bytes());
            }

            public void onDigest(int subscription, long offset, long time, String publisher, long sequence, byte[] digest) {
                got[0] = new Digest(subscription, offset, time, publisher, sequence, digest);
            }

            public void onMissing(int subscription, long fromOffset, long toOffset, long count, long fromTime, long toTime) {
                got[0] = new Missing(subscription, fromOffset, toOffset, count, fromTime, toTime);
            }

            public void onEnded(int subscription, int code, String why) {
                got[0] = new Ended(subscription, code, why);
            }

            public void onError(int code, String why) {
                got[0] = new Error(code, why);
            }
        });
        return got[0];
    }
}
