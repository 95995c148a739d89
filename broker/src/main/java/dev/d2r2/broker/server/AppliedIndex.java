package dev.d2r2.broker.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The last Raft log index whose events a replicated channel's log holds, in
 * {@code channels/<tag>/raft-applied}: a replica that replays its Raft log after a restart skips
 * the entries its channel log already has. Written after the log, so a crash between the two
 * replays one entry, whose events the {@link dev.d2r2.broker.wire.EventWindow} recognises.
 */
final class AppliedIndex implements AutoCloseable {
    private final FileChannel file;
    private final ByteBuffer buf = ByteBuffer.allocate(Long.BYTES);
    private long index;

    AppliedIndex(Path dir) throws IOException {
        this.file = FileChannel.open(dir.resolve("raft-applied"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        index = file.read(buf, 0) == Long.BYTES ? buf.flip().getLong() : 0;
    }

    long get() {
        return index;
    }

    void set(long applied) throws IOException {
        index = applied;
        buf.clear().putLong(applied).flip();
        while (buf.hasRemaining()) {
            file.write(buf, buf.position());
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
