package dev.ebbtide.autoscaler.messaging;

import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

    /**
     * From now on nothing of these partitions is applied; returns once a record being applied (by
     * {@link #applyIfCurrent}) is done, so none can land on the state the revocation drops next.
     */
    public synchronized void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(from::remove);
    }

    /** Applies the record unless it is {@link #stale}; a revocation ({@link #forget}) waits for it. */
    public synchronized void applyIfCurrent(
            ConsumerRecord<byte[], byte[]> record, Consumer<ConsumerRecord<byte[], byte[]>> apply) {
        if (!stale(record.topic(), record.partition(), record.offset())) {
            apply.accept(record);
        }
    }

    /** True for a record the channel must not apply. */
    public boolean stale(String topic, int partition, long offset) {
        Long next = from.get(new TopicPartition(topic, partition));
        return next == null || offset < next;
    }
}
