package dev.ebbtide.autoscaler.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The assignment replay applies exactly what a partition held when it began; what is written meanwhile is left to
 * the channel, which goes on from the returned offsets and skips what the replay applied.
 */
class PartitionReplayTest {

    @Test
    void replaysToTheEndAtTheStartAndLeavesLaterRecordsToTheChannel() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, null);
                KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new StringSerializer(),
                        new StringSerializer())) {
            kafka.createTopics(Topics.ALL, Topics.COMPACTED, 2);
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(Topics.NODES_STATE, 0, "c", "before-" + i))
                        .get();
            }
            producer.send(new ProducerRecord<>(Topics.NODES_STATE, 1, "d", "other partition"))
                    .get();
            TopicPartition p0 = new TopicPartition(Topics.NODES_STATE, 0);
            TopicPartition demand0 = new TopicPartition(Topics.CLUSTERS_DEMAND, 0);

            List<String> applied = new ArrayList<>();
            Map<TopicPartition, Long> ends = PartitionReplay.replay(
                    Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    List.of(p0, demand0),
                    Duration.ofSeconds(20),
                    r -> {
                        if (applied.isEmpty()) {
                            try { // written while the replay runs
                                producer.send(new ProducerRecord<>(Topics.NODES_STATE, 0, "c", "during"))
                                        .get();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }
                        applied.add(new String(r.value(), StandardCharsets.UTF_8));
                    });
            assertEquals(List.of("before-0", "before-1", "before-2"), applied, "in order, only the assigned partition");
            assertEquals(Map.of(p0, 3L, demand0, 0L), ends);

            Replayed replayed = new Replayed();
            replayed.upTo(ends);
            assertTrue(replayed.stale(Topics.NODES_STATE, 0, 2), "applied by the replay: a late copy is skipped");
            assertFalse(
                    replayed.stale(Topics.NODES_STATE, 0, 3), "the record written during the replay is the channel's");
            assertTrue(replayed.stale(Topics.NODES_STATE, 1, 0), "not owned");
            replayed.forget(List.of(p0));
            assertTrue(replayed.stale(Topics.NODES_STATE, 0, 3), "revoked: nothing of it is applied any more");
        }
    }
}
