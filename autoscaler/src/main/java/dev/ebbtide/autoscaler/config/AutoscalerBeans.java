package dev.ebbtide.autoscaler.config;

import dev.ebbtide.autoscaler.messaging.CatchUp;
import dev.ebbtide.common.events.Topics;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Time is an input: the one place the autoscaler gets the wall clock. Also the start-up replay marker. */
public class AutoscalerBeans {
    @Produces
    @Singleton
    CatchUp catchUp(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        return CatchUp.atStartup(bootstrapServers, List.of(Topics.CLUSTERS, Topics.CLUSTERS_DEMAND, Topics.NODES_STATE,
                Topics.CLUSTERS_BACKOFF), Duration.ofSeconds(10));
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
