package dev.ebbtide.autoscaler.messaging;

import dev.ebbtide.autoscaler.loop.Autoscaler;
import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Topics;
import io.smallrye.reactive.messaging.annotations.Blocking;
import dev.ebbtide.messaging.KafkaMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads cluster definitions, demand, node states and backoffs on one channel, from the start of each topic at every
 * start-up (a fresh consumer group), which rebuilds the autoscaler's in-memory view; the autoscaler acts only once
 * this replay has reached where the topics ended at start-up ({@link CatchUp}).
 */
@ApplicationScoped
public class AutoscalerConsumer {
    private static final Logger LOG = Logger.getLogger(AutoscalerConsumer.class);

    @Inject
    @Channel("dead-letters")
    Emitter<String> deadLetters;
    @Inject
    Autoscaler autoscaler;
    @Inject
    CatchUp catchUp;

    @Incoming("autoscaler-in")
    @Blocking(ordered = true)
    public void consume(ConsumerRecord<String, String> record) {
        try {
            switch (record.topic()) {
                case Topics.CLUSTERS -> autoscaler.onClusterDefined(EventJson.read(record.value(), ClusterDefined.class));
                case Topics.CLUSTERS_DEMAND -> autoscaler.onDemand(EventJson.read(record.value(), ClusterDemandChanged.class));
                case Topics.NODES_STATE -> autoscaler.onNodeState(EventJson.read(record.value(), NodeStateChanged.class));
                case Topics.CLUSTERS_BACKOFF -> autoscaler.onBackoff(EventJson.read(record.value(), ClusterBackoffChanged.class));
                default -> LOG.debugf("ignoring a record from %s", record.topic());
            }
        } catch (RuntimeException e) {
            LOG.errorf("dead-lettering a record from %s at offset %d: %s", record.topic(), record.offset(), e.getMessage());
            deadLetters.send(KafkaMessages.deadLetter(record.topic(), record.key(), record.value(), e.getMessage()));
        } finally {
            catchUp.applied(record.topic(), record.partition(), record.offset());
        }
    }
}
