package dev.ebbtide.autoscaler.config;

import dev.ebbtide.autoscaler.loop.OwnedClusters;
import dev.ebbtide.autoscaler.messaging.AutoscalerConsumer;
import dev.ebbtide.autoscaler.messaging.AutoscalerRebalance;
import dev.ebbtide.autoscaler.messaging.CatchUp;
import dev.ebbtide.autoscaler.messaging.KafkaClientSettings;
import dev.ebbtide.autoscaler.messaging.Replayed;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.ownership.InstanceName;
import dev.ebbtide.messaging.ownership.Ownership;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Time is an input: the one place the autoscaler gets the wall clock. Also this instance's {@link Ownership} of
 * clusters, the rebalance listener of the owning channel, and the start-up marker of the definitions replay.
 */
public class AutoscalerBeans {
    /** Where {@code ebbtide.clusters} ended at start-up: the owning channel replays only once definitions are read. */
    @Produces
    @Singleton
    CatchUp catchUp(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        return CatchUp.atStartup(
                KafkaClientSettings.connection(kafkaConfig), List.of(Topics.CLUSTERS), Duration.ofSeconds(10));
    }

    @Produces
    @Singleton
    Ownership ownership() {
        return new Ownership(InstanceName.current("autoscaler"), 1);
    }

    @Produces
    @Singleton
    @Identifier(AutoscalerRebalance.NAME)
    KafkaConsumerRebalanceListener rebalance(
            Ownership ownership,
            OwnedClusters owned,
            Replayed replayed,
            AutoscalerConsumer consumer,
            CatchUp definitions,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        return new AutoscalerRebalance(
                ownership,
                owned,
                replayed,
                consumer::replayConsumer,
                definitions,
                KafkaClientSettings.connection(kafkaConfig));
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
