package dev.ebbtide.provisioner.messaging;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.EventTypes;
import dev.ebbtide.common.events.ProvisionerClusterState;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.KafkaConnection;
import dev.ebbtide.messaging.TopicReader;
import dev.ebbtide.messaging.ownership.ClusterPartition;
import dev.ebbtide.provisioner.actuation.ClusterMemory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * The provisioner's durable memory on the compacted topic {@code ebbtide.provisioner.state} (key: the cluster): an
 * idempotent {@code acks=all} producer whose sends complete on the broker's acknowledgement, and a group-less reader of
 * the partitions just assigned, from their beginning to their end, keeping each cluster's latest record.
 */
public final class ProvisionerStateTopic implements ClusterMemory, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ProvisionerStateTopic.class);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> connection;
    private final KafkaProducer<String, String> producer;
    private final String topic;

    public ProvisionerStateTopic(Map<String, Object> clientConfig, String instance) {
        this(clientConfig, instance, Topics.PROVISIONER_STATE);
    }

    ProvisionerStateTopic(Map<String, Object> clientConfig, String instance, String topic) {
        this.topic = topic;
        this.connection = KafkaConnection.settings(clientConfig);
        Map<String, Object> config = new HashMap<>(connection);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Duration.ofSeconds(10).toMillis());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int)
                Duration.ofSeconds(25).toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int)
                Duration.ofSeconds(10).toMillis());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, instance + "-provisioner-state");
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    @Override
    public CompletableFuture<Void> send(ProvisionerClusterState state) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, state.cluster(), EventJson.write(state));
        header(record, "ce_specversion", "1.0");
        header(record, "ce_id", UUID.randomUUID().toString());
        header(record, "ce_type", EventTypes.PROVISIONER_CLUSTER_STATE);
        header(record, "ce_source", EventTypes.SOURCE_PREFIX + "provisioner");
        header(record, "ce_time", state.at().toString());
        header(record, "content-type", "application/json");
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
            } else {
                done.complete(null);
            }
        });
        return done;
    }

    @Override
    public Map<String, ProvisionerClusterState> load(Set<Integer> partitions) {
        Map<String, ProvisionerClusterState> latest = new HashMap<>();
        int count = TopicReader.readToEnd(connection, topic, partitions::contains, READ_TIMEOUT, r -> take(r, latest));
        if (partitions.stream().anyMatch(p -> p >= count)) {
            // not the partition count of the owning topics: read all of it and keep the clusters of these partitions
            LOG.warnf("%s has %d partitions, unlike the scale requests: reading all of it", topic, count);
            latest.clear();
            TopicReader.readToEnd(connection, topic, READ_TIMEOUT, r -> take(r, latest));
            latest.keySet().removeIf(cluster -> !partitions.contains(ClusterPartition.of(cluster, count)));
        }
        return latest;
    }

    private static void take(ConsumerRecord<byte[], byte[]> r, Map<String, ProvisionerClusterState> latest) {
        if (r.key() == null) {
            return;
        }
        String cluster = new String(r.key(), StandardCharsets.UTF_8);
        if (r.value() == null) {
            latest.remove(cluster); // a tombstone: forgotten
            return;
        }
        try {
            ProvisionerClusterState s =
                    EventJson.read(new String(r.value(), StandardCharsets.UTF_8), ProvisionerClusterState.class);
            if (cluster.equals(s.cluster())) {
                latest.put(cluster, s);
            }
        } catch (IllegalArgumentException e) {
            LOG.warnf(
                    "ignoring an unreadable record of %s at partition %d offset %d: %s",
                    r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    private static void header(ProducerRecord<String, String> record, String key, String value) {
        record.headers().add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
