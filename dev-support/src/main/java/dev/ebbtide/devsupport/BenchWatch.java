package dev.ebbtide.devsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads topics from their current end on a thread of its own (no consumer group: partitions assigned) and hands each
 * record to a callback with the instant it was received, in nanoseconds of {@link System#nanoTime()}.
 */
final class BenchWatch implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean ready;

    BenchWatch(
            Map<String, Object> client,
            List<String> topics,
            BiConsumer<ConsumerRecord<String, String>, Long> onRecord) {
        Map<String, Object> config = new HashMap<>(client);
        config.put("max.poll.records", "5000");
        thread = new Thread(
                () -> {
                    try (KafkaConsumer<String, String> consumer =
                            new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
                        List<TopicPartition> parts = new ArrayList<>();
                        for (String t : topics) {
                            for (PartitionInfo p : consumer.partitionsFor(t)) {
                                parts.add(new TopicPartition(t, p.partition()));
                            }
                        }
                        consumer.assign(parts);
                        consumer.seekToEnd(parts);
                        parts.forEach(consumer::position); // resolve the end offsets now, before anything is sent
                        ready = true;
                        while (running) {
                            var records = consumer.poll(Duration.ofMillis(50));
                            long now = System.nanoTime();
                            for (ConsumerRecord<String, String> r : records) {
                                onRecord.accept(r, now);
                            }
                        }
                    }
                },
                "bench-watch");
        thread.setDaemon(true);
        thread.start();
    }

    void awaitReady() throws InterruptedException {
        while (!ready) {
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }
}
