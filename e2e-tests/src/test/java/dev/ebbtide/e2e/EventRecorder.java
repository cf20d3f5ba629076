package dev.ebbtide.e2e;

import dev.ebbtide.common.events.EventJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Records every event on the given topics, in topic order, from the start, on a background thread. */
final class EventRecorder implements AutoCloseable {
    record Recorded(String topic, String value, Map<String, String> headers) {
        <T> T as(Class<T> type) {
            return EventJson.read(value, type);
        }
    }

    private final List<Recorded> records = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    EventRecorder(String bootstrap, List<String> topics) {
        thread = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                    "group.id", "e2e-recorder-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(topics);
                while (running) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                        Map<String, String> headers = new java.util.HashMap<>();
                        for (Header h : r.headers()) {
                            headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
                        }
                        synchronized (records) {
                            records.add(new Recorded(r.topic(), r.value(), headers));
                        }
                    }
                }
            }
        }, "e2e-recorder");
        thread.setDaemon(true);
        thread.start();
    }

    List<Recorded> on(String topic) {
        synchronized (records) {
            return records.stream().filter(r -> r.topic().equals(topic)).toList();
        }
    }

    <T> List<T> events(String topic, Class<T> type) {
        return on(topic).stream().map(r -> r.as(type)).toList();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }
}
