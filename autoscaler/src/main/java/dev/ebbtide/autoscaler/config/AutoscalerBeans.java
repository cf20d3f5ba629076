package dev.ebbtide.autoscaler.config;

import dev.ebbtide.autoscaler.messaging.CatchUp;
import dev.ebbtide.autoscaler.messaging.KafkaClientSettings;
import dev.ebbtide.common.events.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Time is an input: the one place the autoscaler gets the wall clock. Also the start-up replay marker. */
public class AutoscalerBeans {
    @Produces
    @Singleton
    CatchUp catchUp(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        return CatchUp.atStartup(KafkaClientSettings.connection(kafkaConfig), List.of(Topics.CLUSTERS, Topics.CLUSTERS_DEMAND, Topics.NODES_STATE,
                Topics.CLUSTERS_BACKOFF), Duration.ofSeconds(10));
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
