package dev.ebbtide.submitter;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.RealInfraTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The REST edge's limits (no job is accepted here): 413, 415, 400 for non-UTF-8 and for each of JobRules' limits, each a JSON sentence. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class RequestEdgeTest {

    @org.junit.jupiter.api.BeforeEach
    void withToken() {
        io.restassured.RestAssured.requestSpecification = new io.restassured.builder.RequestSpecBuilder()
                .addHeader(
                        "Authorization",
                        "Bearer " + dev.ebbtide.devsupport.DevTokens.testToken("edge-submitter", "submitter"))
                .build();
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private static final String JOB = "command: python train.py\ncompute: azureml:edge-cluster\n";

    @Test
    void bodiesThatAreTooLargeOfTheWrongTypeOrNotUtf8GetAJsonSentence() {
        byte[] large = ("command: echo " + "x".repeat(600 * 1024) + "\ncompute: azureml:edge-cluster\n")
                .getBytes(StandardCharsets.UTF_8);
        given().contentType("text/plain")
                .body(large)
                .post("/jobs")
                .then()
                .statusCode(413)
                .body("error", containsString("larger than"));
        given().contentType("application/xml")
                .body("<job/>")
                .post("/jobs")
                .then()
                .statusCode(415)
                .body("error", containsString("application/xml is not accepted"));
        byte[] latin1 = "command: caf\u00e9\ncompute: azureml:edge-cluster\n".getBytes(StandardCharsets.ISO_8859_1);
        given().contentType("text/plain")
                .body(latin1)
                .post("/jobs")
                .then()
                .statusCode(400)
                .body("error", containsString("not valid UTF-8"));
        given().contentType("text/plain")
                .body("command: a\u0000b\ncompute: azureml:edge-cluster\n".getBytes(StandardCharsets.UTF_8))
                .post("/jobs")
                .then()
                .statusCode(400)
                .body("error", containsString("NUL"));
    }

    @Test
    void aClusterDefinitionThatCannotBeReadIsDeadLetteredByteForByte() throws Exception {
        byte[] bad = {'{', '"', 's', 'p', 'e', 'c', '"', ':', (byte) 0xFF, '}'};
        long offset;
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
            offset = p.send(new ProducerRecord<>(Topics.CLUSTERS, "junk".getBytes(StandardCharsets.UTF_8), bad))
                    .get()
                    .offset();
        }
        try (KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(
                Map.of("bootstrap.servers", bootstrap), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(Topics.INTERNAL_DLQ, 0);
            dlq.assign(List.of(tp));
            dlq.seekToBeginning(List.of(tp));
            List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                dlq.poll(Duration.ofMillis(200)).forEach(r -> {
                    if ("clusters-in".equals(header(r, "dead-letter-consumer"))
                            && String.valueOf(offset).equals(header(r, "dead-letter-offset"))) {
                        found.add(r);
                    }
                });
                return !found.isEmpty();
            });
            assertArrayEquals(bad, found.get(0).value());
            assertEquals(Topics.CLUSTERS, header(found.get(0), "dead-letter-topic"));
            assertTrue(header(found.get(0), "dead-letter-reason").contains("not valid UTF-8"));
        }
        given().get("/q/health/ready").then().statusCode(200);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        var h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void jobRulesRunAtTheEdge() throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer())) {
            ClusterDefined cluster = new ClusterDefined(
                    new ClusterSpec("edge-cluster", null, null, 0, 2000, 60, null), null, Instant.now());
            p.send(new ProducerRecord<>(Topics.CLUSTERS, "edge-cluster", EventJson.write(cluster)))
                    .get();
        }
        // nothing is accepted here (other tests read the submissions topic): wait until the cluster is known
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().contentType("text/plain")
                        .body(JOB + "limits: {timeout: 0}\n")
                        .post("/jobs")
                        .then()
                        .statusCode(400));
        Map<String, String> refused = Map.of(
                JOB + "environment_variables: {\"1BAD\": x}\n", "environment variable name '1BAD'",
                JOB + "environment_variables: {\"A-B\": x}\n", "environment variable name 'A-B'",
                JOB + "environment_variables: {\"" + "N".repeat(300) + "\": x}\n", "is 300 characters, more than 256",
                JOB + "limits: {timeout: 0}\n", "limits.timeout must be from 1",
                JOB + "resources: {instance_count: 1001}\n", "instance_count must be a whole number from 1 to 1000",
                JOB + "display_name: " + "d".repeat(300) + "\n", "display_name is 300 characters",
                "command: " + "c".repeat(70_000) + "\ncompute: azureml:edge-cluster\n", "command is 70000 bytes");
        refused.forEach((body, sentence) -> given().contentType("text/plain")
                .body(body)
                .post("/jobs")
                .then()
                .statusCode(400)
                .body("error", containsString(sentence)));
    }
}
