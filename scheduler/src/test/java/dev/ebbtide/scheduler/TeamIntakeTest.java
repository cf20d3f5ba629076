package dev.ebbtide.scheduler;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
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
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Teams and queue order at the scheduler's intake, on a real broker and PostgreSQL. On this test broker (no ACLs) a
 * producer principal's own topic {@code ebbtide.jobs.submitted.by.<principal>} stands for the principal: on a secured
 * broker only that principal may write it (KafkaAccess, KafkaAclTest). {@code %test.ebbtide.teams.producers} maps
 * {@code vision-producer} to team vision; {@code %test.ebbtide.jobs.high-priority.teams=vision}.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class TeamIntakeTest {
    private static final String VISION_PRODUCER = Topics.submissionsOf("vision-producer");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    KafkaProducer<byte[], byte[]> producer;
    String cluster;

    @BeforeEach
    void setUp() throws Exception {
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader("Authorization", "Bearer " + DevTokens.testToken("team-operator", "operator"))
                .build();
        producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new ByteArraySerializer(), new ByteArraySerializer());
        cluster = "teams-" + UUID.randomUUID().toString().substring(0, 8);
        // no node ever comes: every job stays queued, in queue order
        producer.send(new ProducerRecord<>(
                        Topics.CLUSTERS,
                        cluster.getBytes(StandardCharsets.UTF_8),
                        json(new ClusterDefined(
                                new ClusterSpec(cluster, null, null, 0, 2, 5, null), null, Instant.now()))))
                .get();
    }

    @AfterEach
    void tearDown() {
        producer.close();
    }

    @Test
    void aBackdatedRecordDoesNotJumpTheQueue() throws Exception {
        JobSubmitted first = job("medium", Instant.now(), null);
        send(Topics.PRODUCER_SUBMISSIONS, first);
        awaitState(first, "Queued");
        // a producer writes a submission time ten years back: before, its queue order was that time
        JobSubmitted backdated = job(
                "medium",
                Instant.now().minus(Duration.ofDays(3650)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                null);
        send(Topics.PRODUCER_SUBMISSIONS, backdated);
        awaitState(backdated, "Queued");

        given().get("/jobs/" + first.jobId()).then().body("queuePosition", equalTo(1));
        given().get("/jobs/" + backdated.jobId())
                .then()
                .body("queuePosition", equalTo(2))
                .body("submittedAt", equalTo(backdated.submittedAt().toString())); // shown, not used for order
    }

    @Test
    void aKafkaProducersJobsBelongToItsPrincipalsTeam() throws Exception {
        JobSubmitted vision = job("medium", Instant.now(), null);
        JobSubmitted unlisted = job("medium", Instant.now(), null);
        send(VISION_PRODUCER, vision);
        send(Topics.PRODUCER_SUBMISSIONS, unlisted);

        awaitState(vision, "Queued");
        given().get("/jobs/" + vision.jobId()).then().body("team", equalTo("vision"));
        awaitState(unlisted, "Queued");
        given().get("/jobs/" + unlisted.jobId()).then().body("team", equalTo("default"));
        given().queryParam("cluster", cluster)
                .queryParam("team", "vision")
                .get("/jobs")
                .then()
                .body("id", equalTo(List.of(vision.jobId())))
                .body("team", equalTo(List.of("vision")));
    }

    @Test
    void aForgedTeamIsRefusedAndHighNeedsTheTeamsRight() throws Exception {
        JobSubmitted forged = job("medium", Instant.now(), "vision");
        JobSubmitted highWithoutRight = job("high", Instant.now(), null);
        JobSubmitted highWithRight = job("high", Instant.now(), null);
        JobSubmitted fromTheSubmitter = job("medium", Instant.now(), "vision");
        send(Topics.PRODUCER_SUBMISSIONS, forged);
        send(Topics.PRODUCER_SUBMISSIONS, highWithoutRight);
        send(VISION_PRODUCER, highWithRight);
        send(Topics.JOBS_SUBMITTED, fromTheSubmitter); // the job-submitter's topic: its REST caller's team

        String forgedReason = "team 'vision' is not this producer's: Kafka principal 'ebbtide-producer' submits for"
                + " team 'default' (ebbtide.teams.producers); leave team out";
        String highReason = "team 'default' may not use priority high (allowed: teams vision, no role;"
                + " ebbtide.jobs.high-priority.teams and .roles); submit with medium or ask an operator";
        awaitState(forged, "Failed");
        given().get("/jobs/" + forged.jobId())
                .then()
                .body("reason", equalTo(forgedReason))
                .body("team", equalTo("default"));
        awaitState(highWithoutRight, "Failed");
        given().get("/jobs/" + highWithoutRight.jobId()).then().body("reason", equalTo(highReason));
        awaitState(highWithRight, "Queued");
        given().get("/jobs/" + highWithRight.jobId()).then().body("team", equalTo("vision"));
        awaitState(fromTheSubmitter, "Queued");
        given().get("/jobs/" + fromTheSubmitter.jobId()).then().body("team", equalTo("vision"));

        Map<String, String> reasons = deadLetterReasons(List.of(forged.jobId(), highWithoutRight.jobId()));
        assertEquals(forgedReason, reasons.get(forged.jobId()));
        assertEquals(highReason, reasons.get(highWithoutRight.jobId()));
    }

    private Map<String, String> deadLetterReasons(List<String> jobIds) {
        Map<String, String> reasons = new ConcurrentHashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        bootstrap,
                        "auto.offset.reset",
                        "earliest",
                        "group.id",
                        "t-" + UUID.randomUUID()),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.JOBS_SUBMITTED_DLQ));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String value = new String(r.value(), StandardCharsets.UTF_8);
                    jobIds.stream()
                            .filter(value::contains)
                            .forEach(id -> reasons.put(
                                    id,
                                    new String(
                                            r.headers()
                                                    .lastHeader("dead-letter-reason")
                                                    .value(),
                                            StandardCharsets.UTF_8)));
                }
                return reasons.keySet().containsAll(jobIds);
            });
        }
        return reasons;
    }

    private void awaitState(JobSubmitted job, String state) {
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId()).then().body("state", equalTo(state)));
    }

    private JobSubmitted job(String priority, Instant submittedAt, String team) {
        return new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("echo", 1, Map.of(), null, null, priority, null),
                submittedAt,
                null,
                team);
    }

    private void send(String topic, JobSubmitted job) throws Exception {
        producer.send(new ProducerRecord<>(topic, cluster.getBytes(StandardCharsets.UTF_8), json(job)))
                .get();
    }

    private static byte[] json(Object event) {
        return EventJson.write(event).getBytes(StandardCharsets.UTF_8);
    }
}
