package dev.d2r2.scale.events;

/** The attribute keys of the scale module's events. */
public final class ScaleKeys {
    public static final String TYPE = "type";
    public static final String CLOUD = "cloud";
    public static final String ADDRESS = "address";
    public static final String WHY = "why";
    public static final String INSTANCE = "instance";
    public static final String PHASE = "phase";
    public static final String MS = "ms";
    public static final String STEP = "step";
    public static final String INSTANCES = "instances";
    public static final String DESIRED = "desired";
    public static final String LOAD = "load";
    public static final String DIRECTION = "direction";
    public static final String BEFORE = "before";
    public static final String AFTER = "after";
    public static final String OUTCOME = "outcome";
    public static final String ACTION = "action";
    public static final String EXPIRES = "expires";

    private ScaleKeys() {
    }
}
