package dev.ebbtide.autoscaler.messaging;

import dev.ebbtide.autoscaler.loop.Autoscaler;
import dev.ebbtide.common.events.ClusterDefined;
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
 * Cluster definitions, read whole by every instance (a consumer group of its own, from the start of the compacted
 * topic), so any instance lists clusters, shows and changes their policies and answers what-if, whichever instance
 * owns them. {@link CatchUp} says when the definitions that existed at start-up have all been read.
 */
@ApplicationScoped
@Startup
public class ClustersConsumer {
    public static final String CHANNEL = "clusters-in";

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
                .on(Topics.CLUSTERS, ClusterDefined.class, autoscaler::onClusterDefined);
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
