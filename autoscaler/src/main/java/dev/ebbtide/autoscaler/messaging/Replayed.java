package dev.ebbtide.autoscaler.messaging;

import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the assignment replay ({@link AutoscalerRebalance}) applied each owned partition. The owning channel
 * applies only what comes after: a record of a partition this instance does not own (any more), or one fetched
 * before the partition was revoked and replayed again, is stale and skipped.
 */
@Singleton
public final class Replayed {
    private final Map<TopicPartition, Long> from = new ConcurrentHashMap<>();

    /** The replay applied these partitions up to these offsets (exclusive); the channel goes on from there. */
    public void upTo(Map<TopicPartition, Long> ends) {
        from.putAll(ends);
    }

    public void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(from::remove);
    }

    /** True for a record the channel must not apply. */
    public boolean stale(String topic, int partition, long offset) {
        Long next = from.get(new TopicPartition(topic, partition));
        return next == null || offset < next;
    }
}
