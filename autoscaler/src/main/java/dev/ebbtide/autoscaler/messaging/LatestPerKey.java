package dev.ebbtide.autoscaler.messaging;

import dev.ebbtide.messaging.Decoded;
import dev.ebbtide.messaging.RecordDecoder;
import dev.ebbtide.messaging.TopicReader;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.jboss.logging.Logger;

/** Reads a compacted topic to its end, once: the latest record per key, checked as the consumers check records. */
public final class LatestPerKey {
    private static final Logger LOG = Logger.getLogger(LatestPerKey.class);

    private LatestPerKey() {}

    /**
     * @param connection bootstrap.servers and security settings ({@link KafkaClientSettings})
     * @throws IllegalStateException if the topic cannot be read to its end within the timeout
     */
    public static <T> Map<String, T> read(
            Map<String, Object> connection, String topic, Class<T> type, Function<T, String> key, Duration timeout) {
        Map<String, T> latest = new HashMap<>();
        TopicReader.readToEnd(connection, topic, timeout, r -> {
            Decoded<T> d = RecordDecoder.decode(r.topic(), r.key(), r.value(), r.headers(), type);
            if (d instanceof Decoded.Event<T> e) {
                latest.put(key.apply(e.value()), e.value());
            } else if (d instanceof Decoded.Poison<T> p) {
                LOG.warnf("skipping a bad record of %s at offset %d: %s", topic, r.offset(), p.reason());
            }
        });
        return latest;
    }
}
