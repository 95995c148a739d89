package dev.d2r2.bridge.kafka;

import kafka.tools.StorageTool;

/**
 * One Kafka KRaft node in its own JVM, as {@link KafkaCluster} starts it: formats the node's
 * storage with the cluster's id (once), then runs Kafka's own entry point on the same file.
 * Arguments: the node's properties file and the cluster id.
 */
public final class KafkaNodeMain {
    private KafkaNodeMain() {
    }

    public static void main(String[] args) {
        int rc = StorageTool.execute(new String[] {"format", "-t", args[1], "-c", args[0], "--ignore-formatted"},
                System.out);
        if (rc != 0) {
            System.err.println("formatting the storage failed: " + rc);
            System.exit(rc);
        }
        kafka.Kafka.main(new String[] {args[0]});
    }
}
