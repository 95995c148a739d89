package dev.d2r2.cluster.raft;

import dev.d2r2.cluster.command.CanonicalReader;
import dev.d2r2.cluster.command.CanonicalWriter;
import dev.d2r2.cluster.command.MalformedCommandException;

/**
 * One replica's view of the control plane: the last log index it applied, the digest of its
 * control state there, and how many malformed commands it has refused since it started.
 */
public record ReplicaSummary(long appliedIndex, String digest, long malformedRefused) {

    public byte[] encode() {
        return new CanonicalWriter().i64(appliedIndex).string(digest).i64(malformedRefused).toByteArray();
    }

    public static ReplicaSummary decode(byte[] bytes) throws MalformedCommandException {
        CanonicalReader r = new CanonicalReader(bytes, "replica summary");
        ReplicaSummary s = new ReplicaSummary(r.i64(), r.string(), r.i64());
        r.end();
        return s;
    }
}
