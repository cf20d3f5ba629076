package dev.ebbtide.autoscaler.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.devsupport.RealInfraTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The connector-level settings reach every producer the service really runs (SmallRye's own default is acks=1). */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class ProducerSettingsTest {
    @Inject
    KafkaClientService kafka;

    @Test
    void everyProducerWaitsForAllReplicasAndIsIdempotent() {
        assertTrue(
                kafka.getProducerChannels().containsAll(java.util.Set.of("scale-requests", "clusters-out")),
                kafka.getProducerChannels().toString());
        for (String channel : kafka.getProducerChannels()) {
            Map<String, ?> config = kafka.getProducer(channel).configuration();
            assertEquals("all", String.valueOf(config.get("acks")), channel);
            assertEquals("true", String.valueOf(config.get("enable.idempotence")), channel);
        }
    }
}
