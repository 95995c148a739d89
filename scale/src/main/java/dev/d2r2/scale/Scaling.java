package dev.d2r2.scale;

import java.util.List;
import java.util.Map;

/** What the scaler's API asks of the scaler role. */
public interface Scaling {
    /** Whether the instance type is under scaling control. */
    boolean knows(String type);

    /** Hands a request to the role; false when it cannot take it now. */
    boolean submit(Object request);

    /** The instances and their states. */
    List<Map<String, String>> instances();
}
