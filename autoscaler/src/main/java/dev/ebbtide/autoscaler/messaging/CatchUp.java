package dev.ebbtide.autoscaler.messaging;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Knows when a channel has read its topics up to where they ended at start-up: the cluster definitions (the owning
 * channel replays a cluster's traffic only once its definition is known, {@link AutoscalerRebalance}).
 */
public final class CatchUp {
    private static final Logger LOG = Logger.getLogger(CatchUp.class);

    /** Partition → the offset the replay must reach (exclusive). */
    private final Map<TopicPartition, Long> targets;

    private final Map<TopicPartition, Long> reached = new ConcurrentHashMap<>();
    private volatile boolean caughtUp;

    CatchUp(Map<TopicPartition, Long> targets) {
        this.targets = Map.copyOf(targets);
        this.caughtUp = targets.values().stream().allMatch(end -> end == 0);
    }

    /** Reads where the topics end now; if the broker cannot say, acts at once (and warns). */
    public static CatchUp atStartup(String bootstrapServers, List<String> topics, Duration timeout) {
        return atStartup(KafkaClientSettings.bootstrapOnly(bootstrapServers), topics, timeout);
    }

    /** @param connection bootstrap.servers and security settings ({@link KafkaClientSettings}) */
    public static CatchUp atStartup(Map<String, Object> connection, List<String> topics, Duration timeout) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(connection, new StringDeserializer(), new StringDeserializer())) {
            for (String topic : topics) {
                for (PartitionInfo p : consumer.partitionsFor(topic, timeout)) {
                    TopicPartition tp = new TopicPartition(topic, p.partition());
                    ends.put(tp, consumer.endOffsets(List.of(tp), timeout).get(tp));
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("cannot read where the topics end (%s): going on without waiting for them", e.getMessage());
            return new CatchUp(Map.of());
        }
        CatchUp catchUp = new CatchUp(ends);
        LOG.infof("reading %d partition(s) up to %s", ends.size(), ends);
        return catchUp;
    }

    /** Records that the record at {@code offset} of this partition was applied. */
    public void applied(String topic, int partition, long offset) {
        if (caughtUp) {
            return;
        }
        reached.merge(new TopicPartition(topic, partition), offset + 1, Math::max);
        if (targets.entrySet().stream()
                .allMatch(e -> reached.getOrDefault(e.getKey(), 0L) >= e.getValue() || e.getValue() == 0)) {
            synchronized (this) {
                caughtUp = true;
                notifyAll();
            }
            LOG.infof("read %s up to where it ended at start-up", targets.keySet());
        }
    }

    /** Waits until caught up, at most {@code timeout}; true if caught up. */
    public synchronized boolean await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!caughtUp) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    public boolean caughtUp() {
        return caughtUp;
    }
}
