package dev.ebbtide.provisioner.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.ProvisionerClusterState;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.messaging.ownership.Ownership;
import dev.ebbtide.provisioner.actuation.Provisioner;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The service on a real broker: its consumer group gives it the partitions (the rebalance listener is wired), it acts
 * for a cluster it owns and stores the request it applied in the cluster's durable record, signed with its name.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class OwnershipFlowTest {
    @Inject
    Provisioner provisioner;

    @Inject
    Ownership ownership;

    @Inject
    ProvisionerStateTopic memory;

    @Inject
    MeterRegistry registry;

    @Test
    void theOwnerStoresAnAppliedScaleRequestInTheClustersRecord() throws Exception {
        String cluster = "own-" + UUID.randomUUID().toString().substring(0, 8);
        String requestId = UUID.randomUUID().toString();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", RealInfraTestResource.bootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(
                            Topics.CLUSTERS,
                            cluster,
                            EventJson.write(new ClusterDefined(
                                    new ClusterSpec(cluster, null, null, 0, 4, 30, null), null, Instant.now()))))
                    .get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> provisioner.knowsCluster(cluster) && provisioner.owns(cluster));
            assertTrue(ownership.owned().contains(ownership.partitionOf(cluster)));
            assertTrue(registry.get(dev.ebbtide.provisioner.actuation.ProvisionerMetrics.OWNED_CLUSTERS)
                            .gauge()
                            .value()
                    >= 1);

            producer.send(new ProducerRecord<>(
                            Topics.SCALE_REQUESTS,
                            cluster,
                            EventJson.write(new ScaleRequested(
                                    requestId,
                                    cluster,
                                    0,
                                    List.of(),
                                    List.of(new Reason("TEST", "test")),
                                    Instant.now(),
                                    null,
                                    null,
                                    "autoscaler-1"))))
                    .get(30, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    ProvisionerClusterState s =
                            memory.load(Set.of(ownership.partitionOf(cluster))).get(cluster);
                    return s != null && s.appliedRequests().contains(requestId);
                });
        ProvisionerClusterState stored =
                memory.load(Set.of(ownership.partitionOf(cluster))).get(cluster);
        assertEquals(ownership.instance(), stored.sender());
        assertEquals(List.of(requestId), stored.appliedRequests());
    }
}
