package dev.ebbtide.scheduler;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.ClusterBackoffChangedV2;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.EventTypes;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.JobStateChanged;
import dev.ebbtide.common.events.JobStopRequested;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.RunPhase;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.common.events.WaitReason;
import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.devsupport.TopicRecorder;
import dev.ebbtide.scheduler.persistence.OutboxEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scheduler on a real broker and a real PostgreSQL, driven by the events other services would send. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class SchedulerFlowTest {
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
    void aRedeliveredSubmissionCreatesOneJob() throws Exception {
        JobSubmitted job = new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("echo", 1, Map.of(), null, null, null, null),
                Instant.now());
        send(Topics.JOBS_SUBMITTED, job);
        send(Topics.JOBS_SUBMITTED, job);
        given().when().get("/jobs/" + job.jobId()).then(); // warm up
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId())
                        .then()
                        .statusCode(200)
                        .body("state", equalTo("Queued")));
        // a third, later marker job proves both copies were consumed before we count
        JobSubmitted marker = new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("echo", 1, Map.of(), null, null, null, null),
                Instant.now());
        send(Topics.JOBS_SUBMITTED, marker);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> states(marker.jobId()).size() == 1);
        assertEquals(1, states(job.jobId()).size(), "one Queued event for a submission delivered twice");
    }

    @Test
    void aGangJobStartsOnlyWhenAllItsNodesAreFreeAndCompletesWhenAllExit() throws Exception {
        JobSubmitted job = new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("echo", 2, Map.of(), null, null, "high", null),
                Instant.now());
        send(Topics.JOBS_SUBMITTED, job);
        node(cluster + "-0", NodeState.idle);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId()).then().body("state", equalTo("Queued")));
        Thread.sleep(500); // give a wrong scheduler the chance to start the job on one node
        assertEquals(List.of(), assignments(job.jobId()), "no start with one node of two");

        node(cluster + "-1", NodeState.idle);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> assignments(job.jobId()).size() == 1);
        JobAssigned assigned = assignments(job.jobId()).get(0);
        assertEquals(2, assigned.nodes().size());
        given().get("/jobs/" + job.jobId()).then().body("state", equalTo("Preparing"));

        for (int rank = 0; rank < 2; rank++) {
            send(
                    Topics.JOBS_RUNS,
                    new JobRunReported(
                            job.jobId(),
                            cluster,
                            assigned.nodes().get(rank),
                            rank,
                            RunPhase.STARTED,
                            null,
                            null,
                            null,
                            null,
                            Instant.now()));
        }
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId()).then().body("state", equalTo("Running")));
        send(
                Topics.JOBS_RUNS,
                new JobRunReported(
                        job.jobId(),
                        cluster,
                        assigned.nodes().get(0),
                        0,
                        RunPhase.EXITED,
                        0,
                        "/tmp/x/" + job.jobId() + "/node-0.log",
                        null,
                        null,
                        Instant.now()));
        send(
                Topics.JOBS_RUNS,
                new JobRunReported(
                        job.jobId(),
                        cluster,
                        assigned.nodes().get(1),
                        1,
                        RunPhase.EXITED,
                        3,
                        "/tmp/x/" + job.jobId() + "/node-1.log",
                        null,
                        null,
                        Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId())
                        .then()
                        .body("state", equalTo("Failed"))
                        .body("exitCode", equalTo(3))
                        .body("reason", equalTo("node " + assigned.nodes().get(1) + " exited with code 3"))
                        .body("outputLocation", equalTo("/tmp/x/" + job.jobId()))
                        .body("nodes", contains(assigned.nodes().toArray())));
    }

    @Test
    void aRejectedAssignmentGoesBackToTheQueueAndStartsOnTheNextFreeNode() throws Exception {
        JobSubmitted job = new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("echo", 1, Map.of(), null, null, null, null),
                Instant.now());
        node(cluster + "-0", NodeState.idle);
        send(Topics.JOBS_SUBMITTED, job);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> assignments(job.jobId()).size() == 1);
        node(cluster + "-0", NodeState.leaving);
        send(
                Topics.JOBS_RUNS,
                new JobRunReported(
                        job.jobId(),
                        cluster,
                        cluster + "-0",
                        0,
                        RunPhase.REJECTED,
                        null,
                        null,
                        "node is leaving",
                        null,
                        Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId()).then().body("state", equalTo("Queued")));
        node(cluster + "-1", NodeState.idle);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> assignments(job.jobId()).size() == 2);
        assertEquals(List.of(cluster + "-1"), assignments(job.jobId()).get(1).nodes());
    }

    @Test
    void aJobQueuedOnAStoppedInstanceSaysWhyAtOnceAndWaitsNormallyOnceItRuns() throws Exception {
        JobSubmitted before = new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("echo", 2, Map.of(), null, null, null, null),
                Instant.now());
        send(Topics.JOBS_SUBMITTED, before);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        given().get("/jobs/" + before.jobId()).then().body("reason", equalTo("waiting for 2 node(s)")));
        String why = "compute instance " + cluster + " is Stopped (stopped by an operator); start it with ./ebbtide "
                + "compute start " + cluster;
        send(
                Topics.CLUSTERS_BACKOFF,
                new ClusterBackoffChangedV2(
                        cluster,
                        new WaitReason.InstanceStopped(cluster, "Stopped", "stopped by an operator"),
                        Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> given().get("/jobs/" + before.jobId()).then().body("reason", equalTo("waiting: " + why)));
        JobSubmitted after = new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("echo", 2, Map.of(), null, null, null, null),
                Instant.now());
        send(Topics.JOBS_SUBMITTED, after); // the backoff is known now: queued with its reason at once
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + after.jobId())
                        .then()
                        .body("state", equalTo("Queued"))
                        .body("reason", equalTo("waiting: " + why)));
        send(Topics.CLUSTERS_BACKOFF, ClusterBackoffChangedV2.ended(cluster, Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        given().get("/jobs/" + after.jobId()).then().body("reason", equalTo("waiting for 2 node(s)")));
    }

    @Test
    void queuedJobsSayTheyWaitForQuotaWhileTheClusterBacksOff() throws Exception {
        JobSubmitted job = new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("echo", 2, Map.of(), null, null, null, null),
                Instant.now());
        send(Topics.JOBS_SUBMITTED, job);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId())
                        .then()
                        .body("state", equalTo("Queued"))
                        .body("reason", equalTo("waiting for 2 node(s)")));
        send(
                Topics.CLUSTERS_BACKOFF,
                new ClusterBackoffChanged(
                        cluster,
                        Instant.now().plusSeconds(30),
                        "QUOTA_EXCEEDED",
                        "exceeding approved standardNCSv3Family Cores quota",
                        Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId())
                        .then()
                        .body("state", equalTo("Queued"))
                        .body("reason", startsWith("waiting for quota (exceeding approved")));
        send(
                Topics.CLUSTERS_BACKOFF,
                new ClusterBackoffChangedV2(
                        cluster,
                        new WaitReason.Quota(
                                "standardNCSv3Family", 24, 24, Instant.now().plusSeconds(30)),
                        Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId())
                        .then()
                        .body("reason", equalTo("waiting for quota: standardNCSv3Family uses 24 of 24 cores")));
        send(Topics.CLUSTERS_BACKOFF, new ClusterBackoffChanged(cluster, null, null, "succeeded", Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        given().get("/jobs/" + job.jobId()).then().body("reason", equalTo("waiting for 2 node(s)")));
    }

    @Test
    void aJobWhoseNodeIsPreemptedGoesBackToTheQueueAndLateReportsOfTheOldAttemptDoNotCount() throws Exception {
        JobSubmitted job = new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("train", 2, Map.of(), null, null, null, null),
                Instant.now());
        node(cluster + "-0", NodeState.idle);
        node(cluster + "-1", NodeState.idle);
        send(Topics.JOBS_SUBMITTED, job);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> assignments(job.jobId()).size() == 1);
        JobAssigned first = assignments(job.jobId()).get(0);
        assertEquals(1, first.attempt());
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

        node(first.nodes().get(0), NodeState.preempted);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId())
                        .then()
                        .body("state", equalTo("Queued"))
                        .body(
                                "reason",
                                equalTo("node " + first.nodes().get(0)
                                        + " was preempted while running the job; requeued (attempt 1 of 5)")));
        await().atMost(Duration.ofSeconds(30)).until(() -> stops(job.jobId()).size() == 1);
        assertEquals(
                List.of(first.nodes().get(1)), stops(job.jobId()).get(0).nodes(), "the surviving node is told to stop");

        // the stopped rank's late exit frees its node but does not complete the job
        send(
                Topics.JOBS_RUNS,
                new JobRunReported(
                        job.jobId(),
                        cluster,
                        first.nodes().get(1),
                        1,
                        RunPhase.EXITED,
                        143,
                        null,
                        null,
                        1,
                        Instant.now()));
        node(cluster + "-2", NodeState.idle);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> assignments(job.jobId()).size() == 2);
        JobAssigned second = assignments(job.jobId()).get(1);
        assertEquals(2, second.attempt());
        assertEquals(Set.of(first.nodes().get(1), cluster + "-2"), Set.copyOf(second.nodes()));
        given().get("/jobs/" + job.jobId()).then().body("state", equalTo("Preparing"));
    }

    @Test
    void cancelingAQueuedJobEndsItAtOnceAndARunningOneAfterItsNodesStop() throws Exception {
        JobSubmitted waiting = new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("echo", 3, Map.of(), null, null, null, null),
                Instant.now());
        send(Topics.JOBS_SUBMITTED, waiting);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> given().get("/jobs/" + waiting.jobId()).then().body("state", equalTo("Queued")));
        given().post("/jobs/" + waiting.jobId() + "/cancel")
                .then()
                .statusCode(200)
                .body("state", equalTo("Canceled"));
        given().post("/jobs/" + waiting.jobId() + "/cancel")
                .then()
                .statusCode(409)
                .body("error", containsString("already ended"));
        given().post("/jobs/nope/cancel").then().statusCode(404);

        JobSubmitted running = new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("sleep 600", 1, Map.of(), null, null, null, null),
                Instant.now());
        node(cluster + "-9", NodeState.idle);
        send(Topics.JOBS_SUBMITTED, running);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> assignments(running.jobId()).size() == 1);
        send(
                Topics.JOBS_RUNS,
                new JobRunReported(
                        running.jobId(),
                        cluster,
                        cluster + "-9",
                        0,
                        RunPhase.STARTED,
                        null,
                        null,
                        null,
                        1,
                        Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> given().get("/jobs/" + running.jobId()).then().body("state", equalTo("Running")));
        given().post("/jobs/" + running.jobId() + "/cancel")
                .then()
                .statusCode(200)
                .body("state", equalTo("CancelRequested"));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> stops(running.jobId()).size() == 1);
        send(
                Topics.JOBS_RUNS,
                new JobRunReported(
                        running.jobId(),
                        cluster,
                        cluster + "-9",
                        0,
                        RunPhase.EXITED,
                        143,
                        null,
                        null,
                        1,
                        Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + running.jobId())
                        .then()
                        .body("state", equalTo("Canceled"))
                        .body("reason", equalTo("canceled by flow-operator")));
    }

    @Test
    void aRecordThatCannotBeHandledIsDeadLetteredWithTheReasonAndTheOthersAreHandled() throws Exception {
        // valid JSON, but without a node name: EventRules refuses it (the handler could not apply it)
        producer.send(new ProducerRecord<>(
                        Topics.NODES_STATE, cluster, "{\"cluster\":\"" + cluster + "\",\"state\":\"idle\"}"))
                .get();
        JobSubmitted job = new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("echo", 1, Map.of(), null, null, null, null),
                Instant.now());
        send(Topics.JOBS_SUBMITTED, job);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId()).then().body("state", equalTo("Queued")));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> reader.on(Topics.INTERNAL_DLQ).stream()
                        .anyMatch(r -> r.value().contains("\"cluster\":\"" + cluster + "\"")));
        TopicRecorder.Recorded dead = reader.on(Topics.INTERNAL_DLQ).stream()
                .filter(r -> r.value().contains("\"cluster\":\"" + cluster + "\""))
                .findFirst()
                .orElseThrow();
        assertEquals(Topics.NODES_STATE, dead.headers().get("dead-letter-topic"));
        assertTrue(
                dead.headers()
                        .get("dead-letter-reason")
                        .startsWith("invalid NodeStateChanged: cluster, node and state are required"),
                dead.headers().get("dead-letter-reason"));
    }

    @Test
    void eventsLeftInTheOutboxByACrashAreSentByTheRelay() throws Throwable {
        String marker = "left-behind-" + UUID.randomUUID();
        OutboxEntity row = new OutboxEntity();
        row.channel = "job-state";
        row.key = cluster;
        row.payload = EventJson.write(new JobStateChanged(
                marker, cluster, JobState.Queued, null, "stored before a crash", null, null, Instant.now()));
        row.createdAt = Instant.now();
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(row::persist));
        await().atMost(Duration.ofSeconds(30)).until(() -> states(marker).size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> outboxRows(row.id) == 0L);
    }

    private static long outboxRows(Long id) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> OutboxEntity.count("id", id)));
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private void node(String name, NodeState state) throws Exception {
        send(Topics.NODES_STATE, new NodeStateChanged(cluster, name, state, null, null, null, Instant.now()));
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

    private List<JobStateChanged> states(String jobId) {
        return reader.values(Topics.JOBS_STATE).stream()
                .map(v -> EventJson.read(v, JobStateChanged.class))
                .filter(a -> a.jobId().equals(jobId))
                .toList();
    }

    /** A v2 backoff carries its CloudEvents type, as the provisioner sends it; the other events go bare (v1). */
    private void send(String topic, Object event) throws Exception {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, cluster, EventJson.write(event));
        if (event instanceof ClusterBackoffChangedV2) {
            record.headers()
                    .add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8))
                    .add("ce_id", UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8))
                    .add("ce_source", "/ebbtide/provisioner".getBytes(StandardCharsets.UTF_8))
                    .add("ce_type", EventTypes.CLUSTER_BACKOFF_CHANGED_V2.getBytes(StandardCharsets.UTF_8));
        }
        producer.send(record).get();
    }
}
