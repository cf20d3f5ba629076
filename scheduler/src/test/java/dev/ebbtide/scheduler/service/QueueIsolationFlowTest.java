package dev.ebbtide.scheduler.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.JobStateChanged;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.devsupport.TopicRecorder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A deep queue on one cluster does not delay placement on another: the scheduler's work per batch follows what changed
 * (the in-memory queue index), not how much is queued. Also: the index keeps queue order and is rebuilt from
 * PostgreSQL.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class QueueIsolationFlowTest {
    private static final int DEEP = 3000;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    QueueIndex index;

    @Test
    void aDeepQueueOnOneClusterDoesNotDelayPlacementOnAnother() throws Exception {
        String deep = "deep-" + UUID.randomUUID().toString().substring(0, 8);
        String other = "other-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", bootstrap, "linger.ms", "5"),
                        new StringSerializer(),
                        new StringSerializer());
                TopicRecorder reader =
                        new TopicRecorder(bootstrap, List.of(Topics.JOBS_STATE, Topics.JOBS_ASSIGNMENTS))) {
            for (String c : List.of(deep, other)) {
                send(
                        producer,
                        Topics.CLUSTERS,
                        c,
                        new ClusterDefined(new ClusterSpec(c, null, null, 0, 4, 5, null), null, Instant.now()));
            }
            send(
                    producer,
                    Topics.NODES_STATE,
                    other,
                    new NodeStateChanged(other, other + "-0", NodeState.idle, null, null, null, Instant.now()));
            producer.flush();

            // the burst: DEEP jobs for one cluster, then one job for the other cluster behind them on the same topic
            List<String> deepJobs = new ArrayList<>();
            Instant base = Instant.now();
            for (int i = 0; i < DEEP; i++) {
                String id = "deep-" + i + "-" + UUID.randomUUID();
                deepJobs.add(id);
                producer.send(new ProducerRecord<>(
                        Topics.JOBS_SUBMITTED,
                        deep,
                        EventJson.write(new JobSubmitted(
                                id,
                                deep,
                                new JobSpec("true", 1, Map.of(), null, null, null, null),
                                base.plusMillis(i)))));
            }
            String quick = "quick-" + UUID.randomUUID();
            Instant submitted = Instant.now();
            send(
                    producer,
                    Topics.JOBS_SUBMITTED,
                    other,
                    new JobSubmitted(
                            quick, other, new JobSpec("true", 1, Map.of(), null, null, null, null), submitted));

            await().atMost(Duration.ofSeconds(60))
                    .until(() -> !assignments(reader, quick).isEmpty());
            JobAssigned assigned = assignments(reader, quick).get(0);
            long waitedMs = Duration.between(submitted, assigned.at()).toMillis();
            // before the index, each batch re-read and re-flushed the whole queue: ~15 jobs/s, minutes for 3,000
            assertTrue(
                    waitedMs < 20_000, "the other cluster's job waited " + waitedMs + " ms behind " + DEEP + " jobs");
            assertEquals(List.of(other + "-0"), assigned.nodes());

            await().atMost(Duration.ofSeconds(60)).until(() -> index.size(deep) == DEEP);
            assertEquals(DEEP, queuedEvents(reader, deep), "every deep job Queued once");

            // a node frees up on the deep cluster: the oldest job (FIFO) starts, not any other
            node(producer, deep, deep + "-0");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !assignments(reader, deepJobs.get(0)).isEmpty());
            assertEquals(DEEP - 1, index.size(deep));

            // the index is a cache: forgotten, it is rebuilt from PostgreSQL and placement goes on in the same order
            index.invalidate();
            node(producer, deep, deep + "-1");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !assignments(reader, deepJobs.get(1)).isEmpty());
            assertEquals(DEEP - 2, index.size(deep));
            assertTrue(assignments(reader, deepJobs.get(2)).isEmpty(), "only two nodes: the third job still waits");
        }
    }

    private static void node(KafkaProducer<String, String> producer, String cluster, String name) throws Exception {
        send(
                producer,
                Topics.NODES_STATE,
                cluster,
                new NodeStateChanged(cluster, name, NodeState.idle, null, null, null, Instant.now()));
    }

    private static long queuedEvents(TopicRecorder reader, String cluster) {
        return reader.values(Topics.JOBS_STATE).stream()
                .map(v -> EventJson.read(v, JobStateChanged.class))
                .filter(e -> e.cluster().equals(cluster) && e.state() == JobState.Queued)
                .count();
    }

    private static List<JobAssigned> assignments(TopicRecorder reader, String jobId) {
        return reader.values(Topics.JOBS_ASSIGNMENTS).stream()
                .map(v -> EventJson.read(v, JobAssigned.class))
                .filter(a -> a.jobId().equals(jobId))
                .toList();
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String key, Object event)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, key, EventJson.write(event))).get();
    }
}
