package dev.ebbtide.scheduler;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's intake on a real broker and PostgreSQL: records that cannot be understood are dead-lettered byte for
 * byte and the channel goes on; a job that arrives before its cluster's definition waits for it; a job for a cluster
 * that does not exist fails once the scheduler has read the clusters topic to its end.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class IntakeTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    KafkaProducer<byte[], byte[]> producer;
    TopicRecorder reader;
    TopicRecorder states;

    @BeforeEach
    void setUp() {
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader("Authorization", "Bearer " + DevTokens.testToken("intake-operator", "operator"))
                .build();
        producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new ByteArraySerializer(), new ByteArraySerializer());
        reader = new TopicRecorder(bootstrap, List.of(Topics.JOBS_ASSIGNMENTS));
        states = new TopicRecorder(bootstrap, List.of(Topics.JOBS_STATE));
    }

    @AfterEach
    void tearDown() throws Exception {
        producer.close();
        reader.close();
        states.close();
    }

    @Test
    void aJobReadBeforeItsClusterDefinitionWaitsForItAndThenRuns() throws Exception {
        // the definition is on the clusters topic behind many others, the job right after it on its own topic: the
        // scheduler usually reads the job first (two topics, no order between them); it must wait, not fail
        for (int i = 0; i < 300; i++) {
            String other = "other-" + UUID.randomUUID().toString().substring(0, 8);
            producer.send(new ProducerRecord<>(
                    Topics.CLUSTERS,
                    other.getBytes(StandardCharsets.UTF_8),
                    json(new ClusterDefined(new ClusterSpec(other, null, null, 0, 1, 5, null), null, Instant.now()))));
        }
        String cluster = "late-" + UUID.randomUUID().toString().substring(0, 8);
        producer.send(new ProducerRecord<>(
                        Topics.CLUSTERS,
                        cluster.getBytes(StandardCharsets.UTF_8),
                        json(new ClusterDefined(
                                new ClusterSpec(cluster, null, null, 0, 2, 5, null), null, Instant.now()))))
                .get();
        JobSubmitted job = job(cluster);
        send(Topics.JOBS_SUBMITTED, json(job));

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId()).then().body("state", equalTo("Queued")));
        boolean waited = states.events(Topics.JOBS_STATE, JobStateChanged.class).stream()
                .anyMatch(s -> s.jobId().equals(job.jobId()) && s.state() == JobState.NotStarted);
        System.out.println("the job was read before its cluster's definition: " + waited);
        send(
                Topics.NODES_STATE,
                json(new NodeStateChanged(cluster, cluster + "-0", NodeState.idle, null, null, null, Instant.now())));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> reader.events(Topics.JOBS_ASSIGNMENTS, JobAssigned.class).stream()
                        .anyMatch(a -> a.jobId().equals(job.jobId())));
    }

    @Test
    void aJobForAClusterThatDoesNotExistFailsOnceTheClustersTopicIsRead() throws Exception {
        String cluster = "nowhere-" + UUID.randomUUID().toString().substring(0, 8);
        JobSubmitted job = job(cluster);
        send(Topics.JOBS_SUBMITTED, json(job));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + job.jobId())
                        .then()
                        .body("state", equalTo("Failed"))
                        .body("reason", equalTo("unknown cluster '" + cluster + "'")));
    }

    @Test
    void unreadableRecordsAreDeadLetteredByteForByteAndTheChannelGoesOn() throws Exception {
        String cluster = "intake-" + UUID.randomUUID().toString().substring(0, 8);
        producer.send(new ProducerRecord<>(
                        Topics.CLUSTERS,
                        cluster.getBytes(StandardCharsets.UTF_8),
                        json(new ClusterDefined(
                                new ClusterSpec(cluster, null, null, 0, 2, 5, null), null, Instant.now()))))
                .get();
        String marker = UUID.randomUUID().toString();
        List<byte[]> bad = new ArrayList<>();
        bad.add(new byte[] {(byte) 0xC3, (byte) 0x28, 'x', 'y'}); // not UTF-8
        bad.add(("{\"jobId\":\"" + marker + "-nul\",\"cluster\":\"a\u0000b\"}").getBytes(StandardCharsets.UTF_8));
        bad.add(("[\"" + marker + "\"]").getBytes(StandardCharsets.UTF_8)); // a JSON array
        bad.add(("{\"jobId\":\"" + marker + "-trunc\",\"clus").getBytes(StandardCharsets.UTF_8));
        String wrongCount = json(job(cluster)).length > 0 ? new String(json(job(cluster)), StandardCharsets.UTF_8) : "";
        String countJobId = marker + "-count";
        bad.add(wrongCount
                .replaceFirst("\"jobId\":\"[^\"]*\"", "\"jobId\":\"" + countJobId + "\"")
                .replace("\"instanceCount\":1", "\"instanceCount\":2.9")
                .getBytes(StandardCharsets.UTF_8));
        for (byte[] value : bad) {
            send(Topics.JOBS_SUBMITTED, value);
        }
        ProducerRecord<byte[], byte[]> badHeader = new ProducerRecord<>(
                Topics.NODES_STATE,
                null,
                json(new NodeStateChanged(cluster, cluster + "-h", NodeState.idle, null, null, null, Instant.now())));
        badHeader.headers().add(new RecordHeader("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8)));
        badHeader.headers().add(new RecordHeader("ce_id", new byte[0]));
        producer.send(badHeader).get();
        JobSubmitted good = job(cluster);
        send(Topics.JOBS_SUBMITTED, json(good));

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + good.jobId()).then().body("state", equalTo("Queued")));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().get("/jobs/" + countJobId)
                        .then()
                        .body("state", equalTo("Failed"))
                        .body("reason", startsWith("invalid submission: ")));
        Map<String, ConsumerRecord<byte[], byte[]>> dead = new ConcurrentHashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        bootstrap,
                        "auto.offset.reset",
                        "earliest",
                        "group.id",
                        "intake-" + UUID.randomUUID()),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.JOBS_SUBMITTED_DLQ, Topics.INTERNAL_DLQ));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> dead.put(hex(r.value()), r));
                return bad.stream().allMatch(b -> dead.containsKey(hex(b))) && dead.containsKey(hex(badHeader.value()));
            });
        }
        for (byte[] value : bad) {
            ConsumerRecord<byte[], byte[]> d = dead.get(hex(value));
            assertEquals(Topics.JOBS_SUBMITTED_DLQ, d.topic());
            assertArrayEquals(value, d.value());
            assertEquals(Topics.JOBS_SUBMITTED, header(d, "dead-letter-topic"));
        }
        ConsumerRecord<byte[], byte[]> header = dead.get(hex(badHeader.value()));
        assertEquals(Topics.INTERNAL_DLQ, header.topic());
        assertEquals("CloudEvents ce_id is missing or empty", header(header, "dead-letter-reason"));
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("checks.find { it.name == 'ebbtide-consumers' }.data.'scheduler-in'", equalTo("consuming"))
                .body("checks.find { it.name == 'ebbtide-consumers' }.data.'logs-in'", equalTo("consuming"));
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    private static JobSubmitted job(String cluster) {
        return new JobSubmitted(
                UUID.randomUUID().toString(),
                cluster,
                new JobSpec("echo", 1, Map.of(), null, null, null, null),
                Instant.now());
    }

    private static byte[] json(Object event) {
        return EventJson.write(event).getBytes(StandardCharsets.UTF_8);
    }

    private void send(String topic, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, null, value)).get();
    }
}
