package dev.ebbtide.devsupport;

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

/** Test support: records every record on the given topics, in topic order, from the start, on a background thread. */
public final class TopicRecorder implements AutoCloseable {
    /** One record: its topic, key, value and headers. */
    public record Recorded(String topic, String key, String value, Map<String, String> headers) {
        public <T> T as(Class<T> type) {
            return EventJson.read(value, type);
        }
    }

    private final List<Recorded> records = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public TopicRecorder(String bootstrap, List<String> topics) {
        this(Map.of("bootstrap.servers", bootstrap), topics);
    }

    /** @param clientConfig bootstrap.servers and, on a secured broker, an admin's SASL settings */
    public TopicRecorder(Map<String, Object> clientConfig, List<String> topics) {
        Map<String, Object> config = new java.util.HashMap<>(clientConfig);
        config.put("group.id", "topic-recorder-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        thread = new Thread(
                () -> {
                    try (KafkaConsumer<String, String> consumer =
                            new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
                        consumer.subscribe(topics);
                        while (running) {
                            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                                Map<String, String> headers = new java.util.HashMap<>();
                                for (Header h : r.headers()) {
                                    headers.put(
                                            h.key(),
                                            h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
                                }
                                synchronized (records) {
                                    records.add(new Recorded(r.topic(), r.key(), r.value(), headers));
                                }
                            }
                        }
                    }
                },
                "topic-recorder");
        thread.setDaemon(true);
        thread.start();
    }

    public List<Recorded> on(String topic) {
        synchronized (records) {
            return records.stream().filter(r -> r.topic().equals(topic)).toList();
        }
    }

    public <T> List<T> events(String topic, Class<T> type) {
        return on(topic).stream().map(r -> r.as(type)).toList();
    }

    /** The values recorded on one topic so far. */
    public List<String> values(String topic) {
        return on(topic).stream().map(Recorded::value).toList();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }
}
