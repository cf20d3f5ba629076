package dev.ebbtide.provisioner.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.ProvisionerClusterState;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.EmbeddedKafka;
import dev.ebbtide.messaging.ownership.ClusterPartition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The durable records on a real broker: a send completes on the broker's ack; a load reads only the partitions asked. */
class ProvisionerStateTopicTest {

    @Test
    void theLatestRecordOfEachClusterOfTheAssignedPartitionsIsReadBack() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, null)) {
            kafka.createTopics(List.of(Topics.PROVISIONER_STATE), Topics.COMPACTED, Topics.DEFAULT_PARTITIONS);
            Map<String, Object> config = Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", "ignored");
            String a = clusterIn(0);
            String b = clusterIn(3);
            try (ProvisionerStateTopic topic = new ProvisionerStateTopic(config, "provisioner-1")) {
                topic.send(state(a, List.of("r-1"), "provisioner-1")).get(30, TimeUnit.SECONDS);
                topic.send(state(b, List.of("r-7"), "provisioner-1")).get(30, TimeUnit.SECONDS);
                topic.send(state(a, List.of("r-1", "r-2"), "provisioner-1")).get(30, TimeUnit.SECONDS);

                Map<String, ProvisionerClusterState> only0 = topic.load(Set.of(0));
                assertEquals(Set.of(a), only0.keySet(), "partition 0 holds only " + a);
                assertEquals(List.of("r-1", "r-2"), only0.get(a).appliedRequests(), "the latest record wins");
                assertEquals(state(a, List.of("r-1", "r-2"), "provisioner-1"), only0.get(a));

                Map<String, ProvisionerClusterState> all = new TreeMap<>(topic.load(Set.of(0, 1, 2, 3, 4, 5)));
                assertEquals(Set.of(a, b), all.keySet());
                assertEquals(List.of("r-7"), all.get(b).appliedRequests());
                assertEquals(Map.of(), topic.load(Set.of(1)), "an empty partition");
            }
        }
    }

    private static ProvisionerClusterState state(String cluster, List<String> applied, String sender) {
        return new ProvisionerClusterState(
                cluster,
                List.of(new ProvisionerClusterState.Node(cluster + "-0", NodeState.idle, null, List.of())),
                applied,
                null,
                null,
                Instant.parse("2026-12-01T00:00:00Z"),
                sender);
    }

    private static String clusterIn(int partition) {
        return IntStream.range(0, 1000)
                .mapToObj(i -> "st-" + i)
                .filter(c -> ClusterPartition.of(c, Topics.DEFAULT_PARTITIONS) == partition)
                .findFirst()
                .orElseThrow();
    }
}
