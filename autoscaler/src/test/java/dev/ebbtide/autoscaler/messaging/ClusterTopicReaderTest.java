package dev.ebbtide.autoscaler.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.EmbeddedKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Runtime changes survive a restart: the start-up read sees the latest definition of each cluster. */
class ClusterTopicReaderTest {

    @Test
    void readsTheLatestDefinitionOfEachClusterToTheEndOfTheTopic() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, null)) {
            kafka.createTopics(Topics.ALL, Topics.COMPACTED);
            try (KafkaProducer<String, String> p = new KafkaProducer<>(
                    Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    new StringSerializer(),
                    new StringSerializer())) {
                send(p, new ClusterDefined(new ClusterSpec("gpu", null, null, 0, 4, 120, null), null, Instant.now()));
                send(p, new ClusterDefined(new ClusterSpec("cpu", null, null, 0, 2, 30, null), null, Instant.now()));
                send(
                        p,
                        new ClusterDefined(
                                new ClusterSpec("gpu", null, null, 1, 8, 600, null), "adaptive", Instant.now()));
                p.send(new ProducerRecord<>(Topics.CLUSTERS, "junk", "not json"))
                        .get();
            }
            Map<String, ClusterDefined> all =
                    ClusterTopicReader.readAll(kafka.bootstrapServers(), Duration.ofSeconds(20));
            assertEquals(2, all.size());
            assertEquals(8, all.get("gpu").spec().maxInstances());
            assertEquals(600, all.get("gpu").spec().idleTimeBeforeScaleDown());
            assertEquals("adaptive", all.get("gpu").policy());
            assertEquals(2, all.get("cpu").spec().maxInstances());
        }
    }

    @Test
    void anUnreachableBrokerGivesNothingInsteadOfFailingStartUp() {
        long start = System.nanoTime();
        assertTrue(
                ClusterTopicReader.readAll("127.0.0.1:1", Duration.ofSeconds(2)).isEmpty());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(30).toNanos());
    }

    private static void send(KafkaProducer<String, String> p, ClusterDefined e) throws Exception {
        p.send(new ProducerRecord<>(Topics.CLUSTERS, e.spec().name(), EventJson.write(e)))
                .get();
    }
}
