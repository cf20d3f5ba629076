package dev.ebbtide.autoscaler.messaging;

import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.Topics;
import java.time.Duration;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Reads the compacted clusters topic to its end, once, at start-up: the cluster definitions as they are now,
 * including changes ops made at runtime, so a restart does not undo them.
 */
public final class ClusterTopicReader {
    private static final Logger LOG = Logger.getLogger(ClusterTopicReader.class);

    private ClusterTopicReader() {}

    /** The latest definition per cluster; empty (with a warning) if the topic cannot be read within the timeout. */
    public static Map<String, ClusterDefined> readAll(String bootstrapServers, Duration timeout) {
        return readAll(KafkaClientSettings.bootstrapOnly(bootstrapServers), timeout);
    }

    /** @param connection bootstrap.servers and security settings ({@link KafkaClientSettings}) */
    public static Map<String, ClusterDefined> readAll(Map<String, Object> connection, Duration timeout) {
        try {
            // the same checks as the consumer, which dead-letters what is refused here
            return LatestPerKey.read(
                    connection,
                    Topics.CLUSTERS,
                    ClusterDefined.class,
                    d -> d.spec().name(),
                    timeout);
        } catch (RuntimeException e) {
            LOG.warnf("cannot read %s (%s): cluster files are applied as they are", Topics.CLUSTERS, e.getMessage());
            return Map.of();
        }
    }
}
