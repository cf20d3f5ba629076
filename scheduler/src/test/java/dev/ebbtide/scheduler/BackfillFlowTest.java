package dev.ebbtide.scheduler;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.RunPhase;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.devsupport.TopicRecorder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * EASY backfill in the running scheduler (real Kafka and PostgreSQL): a short job with {@code limits.timeout} runs on a
 * node the waiting head cannot use yet, a job without a timeout does not, and the head's start does not move: it starts
 * when the job whose nodes it waited for ends.
 *
 * <p>No mutable clock is needed: every expected end comes from an instant the test sends (the running job's reported
 * start + its timeout), and the timeouts are hours long, so the wall clock never reaches them during the test.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class BackfillFlowTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aShortJobWithATimeoutRunsAheadOfALargeHeadWithoutMovingTheHeadsStart() throws Exception {
        String c = "bf-" + UUID.randomUUID().toString().substring(0, 8);
        String big = "running-" + UUID.randomUUID();
        String head = "head-" + UUID.randomUUID();
        String noLimit = "nolimit-" + UUID.randomUUID();
        String shortJob = "short-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer());
                TopicRecorder reader = new TopicRecorder(bootstrap, List.of(Topics.JOBS_ASSIGNMENTS))) {
            // a cluster of at most 3 nodes; 2 are up and run a 2-node job with a 1 h limit
            send(
                    producer,
                    c,
                    Topics.CLUSTERS,
                    new ClusterDefined(new ClusterSpec(c, null, null, 0, 3, 5, null), null, Instant.now()));
            node(producer, c, c + "-0");
            node(producer, c, c + "-1");
            submit(producer, c, big, 2, 3600L);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> assignments(reader, big).size() == 1);
            Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            List<String> bigNodes = assignments(reader, big).get(0).nodes();
            for (int rank = 0; rank < 2; rank++) {
                report(producer, c, big, bigNodes.get(rank), rank, RunPhase.STARTED, started);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> "Running".equals(state(big)));

            // the head needs all 3 nodes: it waits for the running job's end (start + 1 h) on the third, free node
            node(producer, c, c + "-2");
            submit(producer, c, head, 3, null);
            await().atMost(Duration.ofSeconds(30)).until(() -> "Queued".equals(state(head)));
            Instant headStart = started.plusSeconds(3600);
            assertEquals(headStart, Instant.parse(job(head).getString("estimatedStartAt")), "the head's reservation");

            // behind it: a 1-node job without a time limit (could hold the node past the head's start), then a 10 min
            // one
            submit(producer, c, noLimit, 1, null);
            submit(producer, c, shortJob, 1, 600L);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> assignments(reader, shortJob).size() == 1);
            assertEquals(
                    List.of(c + "-2"), assignments(reader, shortJob).get(0).nodes(), "backfilled on the free node");
            assertEquals("Queued", state(noLimit), "no backfill for a job whose end is unknown");
            assertEquals(List.of(), assignments(reader, noLimit));
            assertEquals("Queued", state(head));
            assertEquals(
                    headStart, Instant.parse(job(head).getString("estimatedStartAt")), "the head's start did not move");
            JsonPath behind = job(noLimit);
            assertEquals(2, behind.getInt("queuePosition"));

            // the short job ends; its node goes to no one: the head still waits, the job without a limit still may not
            report(producer, c, shortJob, c + "-2", 0, RunPhase.STARTED, Instant.now());
            report(producer, c, shortJob, c + "-2", 0, RunPhase.EXITED, Instant.now());
            await().atMost(Duration.ofSeconds(30)).until(() -> "Completed".equals(state(shortJob)));
            assertEquals("Queued", state(head));
            assertEquals("Queued", state(noLimit));
            assertEquals(List.of(), assignments(reader, head), "the head waits for the nodes it needs");

            // the running job ends: the head starts at once on all 3 nodes, ahead of the job without a limit
            for (int rank = 0; rank < 2; rank++) {
                report(producer, c, big, bigNodes.get(rank), rank, RunPhase.EXITED, Instant.now());
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> assignments(reader, head).size() == 1);
            assertEquals(
                    Set.of(c + "-0", c + "-1", c + "-2"),
                    Set.copyOf(assignments(reader, head).get(0).nodes()));
            assertEquals("Queued", state(noLimit));
        }
    }

    private static List<JobAssigned> assignments(TopicRecorder reader, String jobId) {
        return reader.values(Topics.JOBS_ASSIGNMENTS).stream()
                .map(v -> EventJson.read(v, JobAssigned.class))
                .filter(a -> a.jobId().equals(jobId))
                .toList();
    }

    /** The job's state, or null while the scheduler has not stored it yet (404). */
    private static String state(String id) {
        var response = given().header("Authorization", "Bearer " + token()).get("/jobs/" + id);
        return response.statusCode() == 404
                ? null
                : response.then().statusCode(200).extract().jsonPath().getString("state");
    }

    private static JsonPath job(String id) {
        return given().header("Authorization", "Bearer " + token())
                .get("/jobs/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static String token() {
        return DevTokens.testToken("vera", "viewer");
    }

    private static void node(KafkaProducer<String, String> producer, String cluster, String name) throws Exception {
        send(
                producer,
                cluster,
                Topics.NODES_STATE,
                new NodeStateChanged(cluster, name, NodeState.idle, null, null, null, Instant.now()));
    }

    private static void submit(
            KafkaProducer<String, String> producer, String cluster, String id, int nodes, Long timeout)
            throws Exception {
        send(
                producer,
                cluster,
                Topics.JOBS_SUBMITTED,
                new JobSubmitted(
                        id, cluster, new JobSpec("true", nodes, Map.of(), null, null, null, timeout), Instant.now()));
    }

    private static void report(
            KafkaProducer<String, String> producer,
            String cluster,
            String job,
            String node,
            int rank,
            RunPhase phase,
            Instant at)
            throws Exception {
        send(
                producer,
                cluster,
                Topics.JOBS_RUNS,
                new JobRunReported(
                        job, cluster, node, rank, phase, phase == RunPhase.EXITED ? 0 : null, null, null, null, at));
    }

    private static void send(KafkaProducer<String, String> producer, String cluster, String topic, Object event)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, cluster, EventJson.write(event)))
                .get();
    }
}
