package dev.ebbtide.autoscaler.messaging;

import dev.ebbtide.autoscaler.loop.Autoscaler;
import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.ClusterBackoffChangedV2;
import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.EventTypes;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.ConsumerHealth;
import dev.ebbtide.messaging.DeadLetters;
import dev.ebbtide.messaging.EventConsumer;
import io.quarkus.runtime.Startup;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The owning channel: demand, node states and backoffs, in the stable consumer group {@code ebbtide-autoscaler}, so
 * each instance gets the partitions of some clusters and decides only for those. What came before an assignment is
 * replayed by {@link AutoscalerRebalance}; this channel applies what comes after ({@link Replayed}). Records arrive as
 * bytes and go through the shared consumer shape ({@link EventConsumer}): a record that cannot be understood is
 * dead-lettered with its original bytes and the reason, and the channel goes on.
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
    Replayed replayed;

    private EventConsumer consumer;

    @PostConstruct
    void init() {
        consumer = replayConsumer();
    }

    /** The same routes for the assignment replay (one {@link EventConsumer} per thread). */
    public EventConsumer replayConsumer() {
        return routes(
                new EventConsumer(CHANNEL, deadLetters, health, clock, d -> Thread.sleep(d.toMillis())), autoscaler);
    }

    /** Where each record of the owning channel goes. */
    public static EventConsumer routes(EventConsumer consumer, Autoscaler autoscaler) {
        return consumer.on(Topics.CLUSTERS_DEMAND, ClusterDemandChanged.class, autoscaler::onDemand)
                .on(
                        Topics.CLUSTERS_DEMAND,
                        EventTypes.CLUSTER_DEMAND_CHANGED_V2,
                        ClusterDemandChangedV2.class,
                        autoscaler::onDemand)
                .on(Topics.NODES_STATE, NodeStateChanged.class, autoscaler::onNodeState)
                .on(Topics.CLUSTERS_BACKOFF, ClusterBackoffChanged.class, e -> autoscaler.onBackoff(e.toV2()))
                .on(
                        Topics.CLUSTERS_BACKOFF,
                        EventTypes.CLUSTER_BACKOFF_CHANGED_V2,
                        ClusterBackoffChangedV2.class,
                        autoscaler::onBackoff)
                .on(
                        Topics.CLUSTERS_BACKOFF,
                        EventTypes.CLUSTER_BACKOFF_CHANGED_V3,
                        ClusterBackoffChangedV2.class,
                        autoscaler::onBackoff);
    }

    @Incoming(CHANNEL)
    @Blocking(ordered = true)
    public void consume(ConsumerRecord<byte[], byte[]> record) {
        replayed.applyIfCurrent(record, consumer::accept);
    }
}
