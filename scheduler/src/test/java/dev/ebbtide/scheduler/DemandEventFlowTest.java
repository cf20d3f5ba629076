package dev.ebbtide.scheduler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.EventTypes;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.devsupport.TopicRecorder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The scheduler publishes bounded v2 demand, whose arrivals list every job once, even one placed at once. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class DemandEventFlowTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void arrivalsListEveryJobOnceIncludingOnePlacedAtOnceAndTheQueueIsCounted() throws Exception {
        String cluster = "d-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer());
                TopicRecorder reader = new TopicRecorder(bootstrap, List.of(Topics.CLUSTERS_DEMAND))) {
            send(
                    producer,
                    cluster,
                    Topics.CLUSTERS,
                    new ClusterDefined(new ClusterSpec(cluster, null, null, 0, 4, 5, null), null, Instant.now()));
            send(
                    producer,
                    cluster,
                    Topics.NODES_STATE,
                    new NodeStateChanged(cluster, cluster + "-0", NodeState.idle, null, null, null, Instant.now()));
            JobSubmitted placed = job(cluster, 1);
            send(producer, cluster, Topics.JOBS_SUBMITTED, placed);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> demand(reader, cluster).stream()
                            .anyMatch(d -> d.busyNodes().contains(cluster + "-0")));
            List<JobSubmitted> queued = List.of(job(cluster, 2), job(cluster, 1), job(cluster, 2));
            for (JobSubmitted j : queued) {
                send(producer, cluster, Topics.JOBS_SUBMITTED, j);
            }
            send(producer, cluster, Topics.JOBS_SUBMITTED, queued.get(0)); // redelivered: not a new arrival
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> arrivals(reader, cluster).size() >= 4
                            && last(reader, cluster).queuedJobs() == 3);

            assertEquals(
                    List.of(
                            placed.jobId(),
                            queued.get(0).jobId(),
                            queued.get(1).jobId(),
                            queued.get(2).jobId()),
                    arrivals(reader, cluster).stream()
                            .map(ClusterDemandChangedV2.Arrival::jobId)
                            .toList());
            ClusterDemandChangedV2 last = last(reader, cluster);
            assertEquals(5, last.nodesNeeded());
            assertEquals(
                    List.of(new ClusterDemandChangedV2.JobsOfSize(1, 1), new ClusterDemandChangedV2.JobsOfSize(2, 2)),
                    last.bySize());
            assertEquals(queued.get(0).jobId(), last.queueHead().get(0).jobId());
            assertEquals(
                    List.of(EventTypes.CLUSTER_DEMAND_CHANGED_V2),
                    reader.on(Topics.CLUSTERS_DEMAND).stream()
                            .filter(r -> cluster.equals(r.key()))
                            .map(r -> r.headers().get("ce_type"))
                            .distinct()
                            .toList());
        }
    }

    private static JobSubmitted job(String cluster, int nodes) {
        return new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("true", nodes, Map.of(), null, null, null, null),
                Instant.now());
    }

    private static List<ClusterDemandChangedV2> demand(TopicRecorder reader, String cluster) {
        return reader.on(Topics.CLUSTERS_DEMAND).stream()
                .filter(r -> cluster.equals(r.key()))
                .map(r -> EventJson.read(r.value(), ClusterDemandChangedV2.class))
                .toList();
    }

    private static List<ClusterDemandChangedV2.Arrival> arrivals(TopicRecorder reader, String cluster) {
        return demand(reader, cluster).stream()
                .flatMap(d -> d.arrivals().stream())
                .toList();
    }

    private static ClusterDemandChangedV2 last(TopicRecorder reader, String cluster) {
        List<ClusterDemandChangedV2> all = demand(reader, cluster);
        return all.isEmpty()
                ? new ClusterDemandChangedV2(cluster, null, -1, 0, null, null, null, Instant.now())
                : all.get(all.size() - 1);
    }

    private static void send(KafkaProducer<String, String> producer, String cluster, String topic, Object event)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, cluster, EventJson.write(event)))
                .get();
    }
}
