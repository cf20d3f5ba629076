package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.ClusterOwners.Owned;
import dev.ebbtide.messaging.ownership.ClusterPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Which instance owns which clusters, from a consumer group's members: the pure mapping, then a real group. */
class ClusterOwnersTest {
    static final List<String> CLUSTERS =
            IntStream.range(0, 12).mapToObj(i -> "c" + i).toList();

    @Test
    void membersMapToTheirInstanceAndPartitionsToTheClustersInThem() {
        Map<String, Collection<TopicPartition>> members = new LinkedHashMap<>();
        members.put("scheduler-1-jobs", List.of(tp(Topics.JOBS_SUBMITTED, 0), tp(Topics.JOBS_SUBMITTED, 1)));
        members.put(
                "scheduler-1-nodes",
                List.of(
                        tp(Topics.NODES_STATE, 0),
                        tp(Topics.NODES_STATE, 1),
                        tp(Topics.INTERNAL_DLQ, 2))); // not cluster-keyed: does not count
        members.put("scheduler-10-jobs", List.of(tp(Topics.JOBS_SUBMITTED, 2)));
        members.put("scheduler-2-jobs", List.of());
        members.put("someone-else", List.of(tp(Topics.JOBS_SUBMITTED, 3)));
        SortedMap<String, Owned> owners = ClusterOwners.owners(
                members,
                List.of("scheduler-1", "scheduler-2", "scheduler-10"),
                CLUSTERS,
                Map.of(Topics.JOBS_SUBMITTED, 4, Topics.NODES_STATE, 4, Topics.INTERNAL_DLQ, 4));

        assertEquals(
                List.of("scheduler-1", "scheduler-2", "scheduler-10", "someone-else"), List.copyOf(owners.keySet()));
        assertEquals(Set.of(0, 1), owners.get("scheduler-1").partitions());
        assertEquals(clustersIn(4, 0, 1), owners.get("scheduler-1").clusters());
        assertEquals(clustersIn(4, 2), owners.get("scheduler-10").clusters(), "scheduler-10 is not scheduler-1");
        assertEquals(Set.of(), owners.get("scheduler-2").partitions(), "a member that holds nothing is shown");
        assertEquals(clustersIn(4, 3), owners.get("someone-else").clusters());
        assertTrue(
                !owners.get("scheduler-1").clusters().isEmpty()
                        && !owners.get("someone-else").clusters().isEmpty(),
                "the sample clusters spread over the partitions");
    }

    @Test
    void aRealConsumerGroupShowsEachInstanceWithTheClustersOfItsPartitions() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, null)) {
            kafka.createTopics(List.of(Topics.SCALE_REQUESTS, Topics.CLUSTERS), Set.of(Topics.CLUSTERS), 6);
            Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());
            try (KafkaProducer<String, String> p =
                    new KafkaProducer<>(client, new StringSerializer(), new StringSerializer())) {
                for (String c : CLUSTERS) {
                    p.send(new ProducerRecord<>(Topics.CLUSTERS, c, "{}"));
                }
                p.send(new ProducerRecord<>(Topics.CLUSTERS, "gone", "{}"));
                p.send(new ProducerRecord<>(Topics.CLUSTERS, "gone", null)).get(); // removed: a tombstone
            }
            assertEquals(new TreeSet<>(CLUSTERS), ClusterOwners.clusters(client));

            List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
            try (Admin admin = Admin.create(client)) {
                assertEquals(
                        Map.of(),
                        ClusterOwners.of(admin, "autoscaler", List.of("autoscaler-1"), CLUSTERS),
                        "no group yet: nobody owns anything");
                for (String instance : List.of("autoscaler-1", "autoscaler-2")) {
                    Map<String, Object> c = new HashMap<>(client);
                    c.put("group.id", ClusterOwners.group("autoscaler"));
                    c.put("client.id", instance + "-scale-requests");
                    c.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.RangeAssignor");
                    KafkaConsumer<String, String> consumer =
                            new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
                    consumer.subscribe(List.of(Topics.SCALE_REQUESTS));
                    consumers.add(consumer);
                }
                SortedMap<String, Owned> owners = new TreeMap<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline) {
                    consumers.forEach(c -> c.poll(Duration.ofMillis(100)));
                    owners = ClusterOwners.of(admin, "autoscaler", List.of("autoscaler-1", "autoscaler-2"), CLUSTERS);
                    if (owners.size() == 2
                            && owners.values().stream()
                                    .allMatch(o -> o.partitions().size() == 3)) {
                        break;
                    }
                }
                assertEquals(Set.of(0, 1, 2), owners.get("autoscaler-1").partitions(), "range assignor: " + owners);
                assertEquals(Set.of(3, 4, 5), owners.get("autoscaler-2").partitions());
                assertEquals(clustersIn(6, 0, 1, 2), owners.get("autoscaler-1").clusters());
                assertEquals(clustersIn(6, 3, 4, 5), owners.get("autoscaler-2").clusters());
            } finally {
                consumers.forEach(KafkaConsumer::close);
            }
        }
    }

    private static TopicPartition tp(String topic, int partition) {
        return new TopicPartition(topic, partition);
    }

    private static Set<String> clustersIn(int partitions, Integer... numbers) {
        Set<Integer> wanted = Set.of(numbers);
        return new TreeSet<>(CLUSTERS.stream()
                .filter(c -> wanted.contains(ClusterPartition.of(c, partitions)))
                .toList());
    }
}
