package dev.ebbtide.messaging;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads every partition of a topic from its beginning to the end it had when the read began, once, without a group. */
public final class TopicReader {
    private TopicReader() {}

    /**
     * @param connection bootstrap.servers and security settings
     * @param each       called for every record, partition by partition in offset order
     * @throws IllegalStateException if the topic cannot be read to its end within {@code timeout}
     */
    public static void readToEnd(
            Map<String, Object> connection,
            String topic,
            Duration timeout,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        readToEnd(connection, topic, p -> true, timeout, each);
    }

    /**
     * Reads only the partitions whose number {@code partitions} accepts (e.g. those just assigned to this instance).
     *
     * @return the topic's partition count
     */
    public static int readToEnd(
            Map<String, Object> connection,
            String topic,
            java.util.function.IntPredicate partitions,
            Duration timeout,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Map<String, Object> config = new HashMap<>(connection);
        config.put("enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> all = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            List<TopicPartition> read =
                    all.stream().filter(tp -> partitions.test(tp.partition())).toList();
            consumer.assign(read);
            consumer.seekToBeginning(read);
            Map<TopicPartition, Long> end = consumer.endOffsets(read, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (read.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("read only part of " + topic + " within " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
            return all.size();
        }
    }
}
