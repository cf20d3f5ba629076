package dev.ebbtide.autoscaler.messaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** After a restart the autoscaler acts only once it has replayed up to where its topics ended. */
class CatchUpTest {

    @Test
    void waitsForTheReplayToReachWhereTheTopicsEndedAtStartUp() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, null)) {
            kafka.createTopics(Topics.ALL, Topics.COMPACTED);
            assertTrue(
                    CatchUp.atStartup(
                                    kafka.bootstrapServers(),
                                    List.of(Topics.NODES_STATE, Topics.CLUSTERS_DEMAND),
                                    Duration.ofSeconds(20))
                            .caughtUp(),
                    "nothing to replay: act at once");
            try (KafkaProducer<String, String> p = new KafkaProducer<>(
                    Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    new StringSerializer(),
                    new StringSerializer())) {
                for (int i = 0; i < 3; i++) {
                    p.send(new ProducerRecord<>(Topics.NODES_STATE, "c", "{}")).get();
                }
                p.send(new ProducerRecord<>(Topics.CLUSTERS_DEMAND, "c", "{}")).get();
            }
            CatchUp catchUp = CatchUp.atStartup(
                    kafka.bootstrapServers(),
                    List.of(Topics.NODES_STATE, Topics.CLUSTERS_DEMAND),
                    Duration.ofSeconds(20));
            assertFalse(catchUp.caughtUp());
            catchUp.applied(Topics.NODES_STATE, 0, 0);
            catchUp.applied(Topics.NODES_STATE, 0, 1);
            catchUp.applied(Topics.CLUSTERS_DEMAND, 0, 0);
            assertFalse(catchUp.caughtUp(), "one node record still to replay");
            catchUp.applied(Topics.NODES_STATE, 0, 2);
            assertTrue(catchUp.caughtUp());
        }
    }

    @Test
    void anUnreachableBrokerDoesNotBlockDecisions() {
        assertTrue(CatchUp.atStartup("127.0.0.1:1", List.of(Topics.NODES_STATE), Duration.ofSeconds(2))
                .caughtUp());
    }
}
