package dev.ebbtide.autoscaler.messaging;

import dev.ebbtide.autoscaler.loop.Autoscaler;
import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.EventTypes;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.ConsumerHealth;
import dev.ebbtide.messaging.DeadLetters;
import dev.ebbtide.messaging.EventConsumer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Reads cluster definitions, demand, node states and backoffs on one channel, from the start of each topic at every
 * start-up (a fresh consumer group), which rebuilds the autoscaler's in-memory view; the autoscaler acts only once
 * this replay has reached where the topics ended at start-up ({@link CatchUp}). Records arrive as bytes and go through
 * the shared consumer shape ({@link EventConsumer}): a record that cannot be understood is dead-lettered with its
 * original bytes and the reason, and the channel goes on.
 */
@ApplicationScoped
@Startup // its channel shows in the readiness check from the start
public class AutoscalerConsumer {
    public static final String CHANNEL = "autoscaler-in";

    @Inject
    DeadLetters deadLetters;
    @Inject
    ConsumerHealth health;
    @Inject
    Clock clock;
    @Inject
    Autoscaler autoscaler;
    @Inject
    CatchUp catchUp;

    private EventConsumer consumer;

    @PostConstruct
    void init() {
        consumer = new EventConsumer(CHANNEL, deadLetters, health, clock, d -> Thread.sleep(d.toMillis()))
                .on(Topics.CLUSTERS, ClusterDefined.class, autoscaler::onClusterDefined)
                .on(Topics.CLUSTERS_DEMAND, ClusterDemandChanged.class, autoscaler::onDemand)
                .on(Topics.CLUSTERS_DEMAND, EventTypes.CLUSTER_DEMAND_CHANGED_V2, ClusterDemandChangedV2.class,
                        autoscaler::onDemand)
                .on(Topics.NODES_STATE, NodeStateChanged.class, autoscaler::onNodeState)
                .on(Topics.CLUSTERS_BACKOFF, ClusterBackoffChanged.class, autoscaler::onBackoff);
    }

    @Incoming(CHANNEL)
    @Blocking(ordered = true)
    public void consume(ConsumerRecord<byte[], byte[]> record) {
        try {
            consumer.accept(record);
        } finally {
            catchUp.applied(record.topic(), record.partition(), record.offset());
        }
    }
}
