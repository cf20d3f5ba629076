package dev.ebbtide.messaging.ownership;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition a cluster's records land in: Kafka's default partitioner for a String key (murmur2 of the UTF-8
 * bytes, made positive, modulo the partition count). Every cluster-keyed topic has the same partition count, so a
 * cluster has the same partition number in all of them.
 */
public final class ClusterPartition {
    private ClusterPartition() {}

    public static int of(String cluster, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(cluster.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
