package dev.ebbtide.scheduler.messaging;

import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.KafkaConnection;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * How far the scheduler has read {@code ebbtide.clusters}, against where the topic ends now: a consumer that never
 * subscribes (it only asks the broker for end offsets and the scheduler group's committed offsets). Blocking: call
 * it from one worker thread at a time.
 */
@ApplicationScoped
public class ClustersPosition {
    private static final Logger LOG = Logger.getLogger(ClustersPosition.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @ConfigProperty(name = "mp.messaging.incoming.scheduler-in.group.id", defaultValue = "ebbtide-scheduler")
    String group;

    private KafkaConsumer<byte[], byte[]> consumer;

    /**
     * Whether every partition of the clusters topic has been read to its current end, counting both what the
     * scheduler's group committed and {@code handled} (partition → next offset, records handled but maybe not yet
     * committed). False when the broker cannot answer.
     */
    public synchronized boolean caughtUp(Map<Integer, Long> handled) {
        try {
            KafkaConsumer<byte[], byte[]> c = consumer();
            List<TopicPartition> partitions = c.partitionsFor(Topics.CLUSTERS, TIMEOUT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            Map<TopicPartition, Long> ends = c.endOffsets(partitions, TIMEOUT);
            Map<TopicPartition, OffsetAndMetadata> committed = c.committed(Set.copyOf(partitions), TIMEOUT);
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata done = committed.get(tp);
                long reached = Math.max(handled.getOrDefault(tp.partition(), 0L), done == null ? 0L : done.offset());
                if (reached < ends.getOrDefault(tp, 0L)) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            LOG.debugf("cannot read the clusters topic's position: %s", e.toString());
            close();
            return false;
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        if (consumer == null) {
            Map<String, Object> config = KafkaConnection.settings(kafkaConfig);
            config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            config.put(ConsumerConfig.CLIENT_ID_CONFIG, "ebbtide-scheduler-clusters-position");
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
