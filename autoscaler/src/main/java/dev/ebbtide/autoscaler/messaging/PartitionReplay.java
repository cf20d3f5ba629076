package dev.ebbtide.autoscaler.messaging;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads some partitions from their beginning to the end they had when the read began, without a consumer group, and
 * hands every record to {@code each} in offset order per partition. Records written after that end are left to the
 * owning channel, which goes on from the returned offsets.
 */
public final class PartitionReplay {
    private PartitionReplay() {}

    /**
     * @param connection bootstrap.servers and security settings ({@link KafkaClientSettings})
     * @return the end offset (exclusive) each partition was replayed to
     * @throws IllegalStateException if the partitions cannot be read to their end within {@code timeout}
     */
    public static Map<TopicPartition, Long> replay(
            Map<String, Object> connection,
            Collection<TopicPartition> partitions,
            Duration timeout,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Map<String, Object> config = new HashMap<>(connection);
        config.put("enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = List.copyOf(partitions);
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(tps, timeout));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (tps.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replayed only part of " + tps + " within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(r);
                    }
                }
            }
            return end;
        }
    }
}
