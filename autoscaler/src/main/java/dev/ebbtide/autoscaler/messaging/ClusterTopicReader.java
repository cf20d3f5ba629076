package dev.ebbtide.autoscaler.messaging;

import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.Decoded;
import dev.ebbtide.messaging.RecordDecoder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads the compacted clusters topic to its end, once, at start-up: the cluster definitions as they are now,
 * including changes ops made at runtime, so a restart does not undo them.
 */
public final class ClusterTopicReader {
    private static final Logger LOG = Logger.getLogger(ClusterTopicReader.class);

    private ClusterTopicReader() {
    }

    /** The latest definition per cluster; empty (with a warning) if the topic cannot be read within the timeout. */
    public static Map<String, ClusterDefined> readAll(String bootstrapServers, Duration timeout) {
        return readAll(KafkaClientSettings.bootstrapOnly(bootstrapServers), timeout);
    }

    /** @param connection bootstrap.servers and security settings ({@link KafkaClientSettings}) */
    public static Map<String, ClusterDefined> readAll(Map<String, Object> connection, Duration timeout) {
        Map<String, ClusterDefined> latest = new HashMap<>();
        Map<String, Object> config = new HashMap<>(connection);
        config.put("enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(Topics.CLUSTERS, timeout);
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    LOG.warnf("read only part of %s within %s; runtime changes may be missing", Topics.CLUSTERS, timeout);
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    // the same checks as the consumer, which dead-letters what is refused here
                    Decoded<ClusterDefined> d = RecordDecoder.decode(r.topic(), r.key(), r.value(), r.headers(),
                            ClusterDefined.class);
                    if (d instanceof Decoded.Event<ClusterDefined> e) {
                        latest.put(e.value().spec().name(), e.value());
                    } else if (d instanceof Decoded.Poison<ClusterDefined> p) {
                        LOG.warnf("skipping a bad cluster definition at offset %d: %s", r.offset(), p.reason());
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("cannot read %s (%s): cluster files are applied as they are", Topics.CLUSTERS, e.getMessage());
        }
        return latest;
    }
}
