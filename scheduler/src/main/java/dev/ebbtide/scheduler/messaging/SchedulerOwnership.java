package dev.ebbtide.scheduler.messaging;

import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.ownership.InstanceName;
import dev.ebbtide.messaging.ownership.Ownership;
import dev.ebbtide.messaging.ownership.OwnershipListener;
import dev.ebbtide.scheduler.service.SchedulerService;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Which clusters this scheduler instance acts for (docs/design/0002-scale-out.md): those of the partitions the
 * {@code ebbtide-scheduler} group assigns to its {@code scheduler-in} consumer. The channel names the listener
 * ({@code consumer-rebalance-listener.name}) and uses the range assignor, so partition {@code p} of every topic it
 * reads (all keyed by cluster, all with the same partition count) comes to the same instance.
 */
public class SchedulerOwnership {
    /** The rebalance listener's {@code @Identifier}, named by the channel's configuration. */
    public static final String LISTENER = "scheduler-ownership";

    @Produces
    @Singleton
    Ownership ownership() {
        return new Ownership(
                InstanceName.current("scheduler"), Topics.DEFAULT_PARTITIONS); // the real count on assignment
    }

    @Produces
    @Singleton
    @Identifier(LISTENER)
    KafkaConsumerRebalanceListener listener(
            Ownership ownership,
            @ConfigProperty(name = "mp.messaging.incoming.scheduler-in.topics") List<String> topics) {
        return new OwnershipListener(SchedulerService.CHANNEL, ownership, topics);
    }
}
