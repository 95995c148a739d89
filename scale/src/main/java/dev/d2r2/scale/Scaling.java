package dev.d2r2.scale;

import java.util.List;
import java.util.Map;

/** What the scaler's API asks of the scaler role. */
public interface Scaling {
    /** Whether the instance type is under scaling control. */
    boolean knows(String type);

    /** Whether the cloud is declared. */
    boolean hasCloud(String cloud);

    /** Whether an instance under scaling control serves at this backend id ({@code host:port}). */
    boolean serves(String address);

    /** Hands a request to the role; false when it cannot take it now. */
    boolean submit(Object request);

    /** The instances and their states. */
    List<Map<String, String>> instances();
}
