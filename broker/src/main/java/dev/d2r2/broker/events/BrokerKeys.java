package dev.d2r2.broker.events;

/** The attribute keys of the broker's events. */
public final class BrokerKeys {
    public static final String CHANNEL = "channel";
    public static final String SEGMENT = "segment";
    public static final String KIND = "kind";
    public static final String POSITION = "position";
    public static final String BYTES = "bytes";
    public static final String FROM_OFFSET = "fromOffset";
    public static final String TO_OFFSET = "toOffset";
    public static final String LOST = "lost";
    public static final String QUARANTINE = "quarantine";
    public static final String PUBLISHER = "publisher";
    public static final String FROM_SEQUENCE = "fromSequence";
    public static final String TO_SEQUENCE = "toSequence";
    /** {@code nagios.*}: the plugin's first line of output. */
    public static final String OUTPUT = "output";
    /** {@code nagios.*}: suffix of the attribute that gives a performance-data item's unit. */
    public static final String UOM_SUFFIX = ".uom";

    private BrokerKeys() {
    }
}
