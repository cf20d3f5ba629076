package dev.ebbtide.submitter.messaging;

import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.KafkaConnection;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Where the clusters topic ends now, per partition: a consumer without a group that never subscribes, only asks the
 * broker. Blocking; one caller at a time.
 */
@ApplicationScoped
public class ClustersEnd {
    private static final Logger LOG = Logger.getLogger(ClustersEnd.class);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private KafkaConsumer<byte[], byte[]> consumer;

    /** Partition → end offset; empty when the broker cannot say within {@code timeout}. */
    public synchronized Map<Integer, Long> ends(Duration timeout) {
        try {
            KafkaConsumer<byte[], byte[]> c = consumer();
            List<TopicPartition> partitions = c.partitionsFor(Topics.CLUSTERS, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            Map<Integer, Long> ends = new HashMap<>();
            c.endOffsets(partitions, timeout).forEach((tp, end) -> ends.put(tp.partition(), end));
            return ends;
        } catch (RuntimeException e) {
            LOG.debugf("cannot read where the clusters topic ends: %s", e.toString());
            close();
            return Map.of();
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        if (consumer == null) {
            Map<String, Object> config = KafkaConnection.settings(kafkaConfig);
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            config.put(ConsumerConfig.CLIENT_ID_CONFIG, "ebbtide-submitter-clusters-end");
            consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        return consumer;
    }

    @PreDestroy
    synchronized void close() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(1));
            consumer = null;
        }
    }
}
