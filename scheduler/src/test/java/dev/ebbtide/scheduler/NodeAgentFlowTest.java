package dev.ebbtide.scheduler;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobLogChunk;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobStopRequested;
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
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scheduler's side of the node-agent protocol (design 0001) on a real broker and a real PostgreSQL. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class NodeAgentFlowTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    KafkaProducer<String, String> producer;
    TopicRecorder reader;
    String cluster;

    @BeforeEach
    void setUp() throws Exception {
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader("Authorization", "Bearer " + DevTokens.testToken("flow-operator", "operator"))
                .build();
        producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer());
        reader = new TopicRecorder(
                bootstrap, List.of(Topics.JOBS_STATE, Topics.JOBS_ASSIGNMENTS, Topics.JOBS_STOPS, Topics.INTERNAL_DLQ));
        cluster = "c-" + UUID.randomUUID().toString().substring(0, 8);
        send(
                Topics.CLUSTERS,
                new ClusterDefined(new ClusterSpec(cluster, null, null, 0, 4, 5, null), null, Instant.now()));
    }

    @AfterEach
    void tearDown() throws Exception {
        producer.close();
        reader.close();
    }

    @Test
    void assignmentsCarryTheAddressesAndPortsTheAgentsAnnounced() throws Exception {
        node(cluster + "-0", NodeState.idle, "10.0.0.4", 29500);
        node(cluster + "-1", NodeState.idle, "10.0.0.5", 29501);
        JobSubmitted job = submit(2);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> assignments(job.jobId()).size() == 1);
        JobAssigned a = assignments(job.jobId()).get(0);
        List<String> expectedAddresses = a.nodes().stream()
                .map(n -> n.endsWith("-0") ? "10.0.0.4" : "10.0.0.5")
                .toList();
        List<Integer> expectedPorts =
                a.nodes().stream().map(n -> n.endsWith("-0") ? 29500 : 29501).toList();
        assertEquals(expectedAddresses, a.addresses(), "addresses parallel to nodes");
        assertEquals(expectedPorts, a.ports(), "ports parallel to nodes");
    }

    @Test
    void aLostNodeRequeuesItsJobCountingAnAttemptAndStopsTheOtherNodes() throws Exception {
        node(cluster + "-0", NodeState.idle, null, null);
        node(cluster + "-1", NodeState.idle, null, null);
        JobSubmitted job = submit(2);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> assignments(job.jobId()).size() == 1);
        JobAssigned first = assignments(job.jobId()).get(0);
        for (int rank = 0; rank < 2; rank++) {
            send(
                    Topics.JOBS_RUNS,
                    new JobRunReported(
                            job.jobId(),
                            cluster,
                            first.nodes().get(rank),
                            rank,
                            RunPhase.STARTED,
                            null,
                            null,
                            null,
                            1,
                            Instant.now()));
        }
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId()).then().body("state", equalTo("Running")));
        node(first.nodes().get(1), NodeState.lost, null, null);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId())
                        .then()
                        .body("state", equalTo("Queued"))
                        .body("attempt", equalTo(1))
                        .body(
                                "reason",
                                equalTo("node " + first.nodes().get(1)
                                        + " was lost while running the job; requeued (attempt 1 of 5)")));
        await().atMost(Duration.ofSeconds(30)).until(() -> stops(job.jobId()).size() == 1);
        JobStopRequested stop = stops(job.jobId()).get(0);
        assertEquals(List.of(first.nodes().get(0)), stop.nodes());
        assertEquals(1, stop.attempt());

        send(
                Topics.JOBS_RUNS,
                new JobRunReported(
                        job.jobId(),
                        cluster,
                        first.nodes().get(0),
                        0,
                        RunPhase.EXITED,
                        143,
                        null,
                        null,
                        1,
                        Instant.now()));
        node(cluster + "-2", NodeState.idle, null, null);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> assignments(job.jobId()).size() == 2);
        assertEquals(2, assignments(job.jobId()).get(1).attempt());
    }

    @Test
    void aJobRejectedAgainAndAgainFailsAfterMaxAttempts() throws Exception {
        String node = cluster + "-0";
        node(node, NodeState.idle, null, null);
        JobSubmitted job = submit(1);
        for (int attempt = 1; attempt <= 5; attempt++) {
            int a = attempt;
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> assignments(job.jobId()).size() == a);
            assertEquals(a, assignments(job.jobId()).get(a - 1).attempt());
            send(
                    Topics.JOBS_RUNS,
                    new JobRunReported(
                            job.jobId(),
                            cluster,
                            node,
                            0,
                            RunPhase.REJECTED,
                            null,
                            null,
                            "busy with job other",
                            a,
                            Instant.now()));
        }
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId())
                        .then()
                        .body("state", equalTo("Failed"))
                        .body(
                                "reason",
                                equalTo("node " + node
                                        + " rejected the assignment (busy with job other); gave up after 5 attempts")));
        Thread.sleep(500); // give a looping scheduler the chance to place it a sixth time
        assertEquals(5, assignments(job.jobId()).size(), "never placed again after max attempts");
    }

    @Test
    void logChunksAreStoredOnceAndServedAsText() throws Exception {
        JobSubmitted job = submit(2);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId()).then().body("state", equalTo("Queued")));
        String first = "héllo wörld ✓\n";
        String second = "nul\u0000byte\n";
        JobLogChunk c0 = new JobLogChunk(job.jobId(), cluster, cluster + "-0", 0, 1, 0, first, false, Instant.now());
        JobLogChunk c1 = new JobLogChunk(job.jobId(), cluster, cluster + "-0", 0, 1, 1, second, true, Instant.now());
        JobLogChunk other =
                new JobLogChunk(job.jobId(), cluster, cluster + "-1", 1, 1, 0, "rank one\n", true, Instant.now());
        send(Topics.JOBS_LOGS, c0);
        send(Topics.JOBS_LOGS, c1);
        send(Topics.JOBS_LOGS, c0); // redelivered
        send(Topics.JOBS_LOGS, other);
        byte[] expected = (first + second).getBytes(StandardCharsets.UTF_8);
        // rank 1's chunk was sent last on the same partition: once it is there, every chunk before it was handled
        await().atMost(Duration.ofSeconds(30)).until(() -> logs(job.jobId(), "?rank=1&attempt=1").length > 0);
        assertArrayEquals(
                expected, logs(job.jobId(), "?rank=0&attempt=1"), "each chunk once, NUL and non-ASCII intact");
        assertArrayEquals(expected, logs(job.jobId(), "?rank=0"), "the default attempt is the latest");
        int skip = "héllo ".getBytes(StandardCharsets.UTF_8).length;
        assertEquals(
                "wörld ✓\n" + second, new String(logs(job.jobId(), "?rank=0&offset=" + skip), StandardCharsets.UTF_8));
        assertEquals(0, logs(job.jobId(), "?rank=0&offset=" + expected.length).length, "nothing new past the end");
        assertEquals(
                "==> rank 0 on " + cluster + "-0 (attempt 1) <==\n" + first + second + "==> rank 1 on " + cluster
                        + "-1 (attempt 1) <==\nrank one\n",
                new String(logs(job.jobId(), ""), StandardCharsets.UTF_8));
        given().get("/jobs/" + job.jobId())
                .then()
                .body("logs.size()", equalTo(2))
                .body("logs[0].bytes", equalTo(expected.length));
    }

    @Test
    void aRanksLogStopsAtTheSizeLimitAndSaysSo() throws Exception {
        JobSubmitted job = submit(1);
        String block = "x".repeat(40 * 1024 - 1) + "\n"; // the test profile keeps 64 KiB per rank
        for (int seq = 0; seq < 3; seq++) {
            send(
                    Topics.JOBS_LOGS,
                    new JobLogChunk(
                            job.jobId(), cluster, "n", 0, 1, seq, seq == 2 ? "small\n" : block, false, Instant.now()));
        }
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        given().get("/jobs/" + job.jobId()).then().body("logs[0].bytes", equalTo(2 * 40 * 1024 + 6)));
        String text = new String(logs(job.jobId(), "?rank=0&attempt=1"), StandardCharsets.UTF_8);
        assertEquals(block + "[truncated: the rest of this rank's output was over the size limit]\n", text);
    }

    @Test
    void aLogRecordThatCannotBeReadIsDeadLetteredAndTheNextOnesAreStored() throws Exception {
        JobSubmitted job = submit(1);
        String bad = "not json \u0000 from " + cluster;
        producer.send(new ProducerRecord<>(Topics.JOBS_LOGS, cluster, bad)).get();
        send(Topics.JOBS_LOGS, new JobLogChunk(job.jobId(), cluster, "n", 0, 1, 0, "after\n", true, Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> reader.on(Topics.INTERNAL_DLQ).stream()
                        .anyMatch(r -> r.value().equals(bad)));
        TopicRecorder.Recorded dead = reader.on(Topics.INTERNAL_DLQ).stream()
                .filter(r -> r.value().equals(bad))
                .findFirst()
                .orElseThrow();
        assertEquals(Topics.JOBS_LOGS, dead.headers().get("dead-letter-topic"));
        await().atMost(Duration.ofSeconds(30)).until(() -> logs(job.jobId(), "?rank=0").length > 0);
        assertEquals("after\n", new String(logs(job.jobId(), "?rank=0"), StandardCharsets.UTF_8));
    }

    @Test
    void aSubmissionWithAnEnvironmentNoProcessCanHoldFailsAtOnce() throws Exception {
        JobSubmitted job = new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("train", 1, Map.of("A=B", "x"), null, null, null, null),
                Instant.now());
        send(Topics.JOBS_SUBMITTED, job);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> given().get("/jobs/" + job.jobId())
                                .then()
                                .body("state", equalTo("Failed"))
                                .body(
                                        "reason",
                                        equalTo(
                                                "invalid submission: invalid JobSubmitted: "
                                                        + "environment variable name 'A=B' is not a POSIX name (letters, digits and '_', not starting with a digit)")));
    }

    @Test
    void logsOfAnUnknownJobAre404WithASentence() {
        given().get("/jobs/no-such-job/logs").then().statusCode(404).body("error", equalTo("no job 'no-such-job'"));
        given().get("/jobs/no-such-job/logs?rank=-1").then().statusCode(400);
    }

    private byte[] logs(String jobId, String query) {
        return given().get("/jobs/" + jobId + "/logs" + query)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
    }

    private JobSubmitted submit(int nodes) throws Exception {
        JobSubmitted job = new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("train", nodes, Map.of(), null, null, null, null),
                Instant.now());
        send(Topics.JOBS_SUBMITTED, job);
        return job;
    }

    private void node(String name, NodeState state, String address, Integer port) throws Exception {
        send(
                Topics.NODES_STATE,
                new NodeStateChanged(cluster, name, state, null, null, null, address, port, Instant.now()));
    }

    private List<JobAssigned> assignments(String jobId) {
        return reader.values(Topics.JOBS_ASSIGNMENTS).stream()
                .map(v -> EventJson.read(v, JobAssigned.class))
                .filter(a -> a.jobId().equals(jobId))
                .toList();
    }

    private List<JobStopRequested> stops(String jobId) {
        return reader.values(Topics.JOBS_STOPS).stream()
                .map(v -> EventJson.read(v, JobStopRequested.class))
                .filter(a -> a.jobId().equals(jobId))
                .toList();
    }

    private void send(String topic, Object event) throws Exception {
        producer.send(new ProducerRecord<>(topic, cluster, EventJson.write(event)))
                .get();
    }
}
