package dev.d2r2.broker.wire;

import java.io.DataOutput;
import java.io.IOException;

/** An envelope as a PUBLISH or DELIVER frame carries it: written straight to the connection. */
public interface EnvelopeBytes {
    int length();

    void writeTo(DataOutput out) throws IOException;
}
