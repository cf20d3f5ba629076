package dev.ebbtide.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
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

/**
 * Queued jobs show their queue position and start estimate in {@code GET /jobs/{id}} and {@code GET /jobs?cluster=},
 * computed on read, so they change as jobs ahead start (real Kafka and PostgreSQL).
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class StartEstimateFlowTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void queuedJobsShowPositionAndEstimateThatFollowTheQueue() throws Exception {
        String c = "est-" + UUID.randomUUID().toString().substring(0, 8);
        String a = "a-" + UUID.randomUUID();
        String b = "b-" + UUID.randomUUID();
        String d = "d-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer())) {
            // at most 2 nodes; one is up: A (limit 600 s) takes it; B (300 s) and D queue behind
            send(
                    producer,
                    Topics.CLUSTERS,
                    c,
                    new ClusterDefined(new ClusterSpec(c, null, null, 0, 2, 5, null), null, Instant.now()));
            send(
                    producer,
                    Topics.NODES_STATE,
                    c,
                    new NodeStateChanged(c, c + "-0", NodeState.idle, null, null, null, Instant.now()));
            Instant t0 = Instant.now();
            submit(producer, c, a, 600L, t0);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "Preparing".equals(state(a)) || "Running".equals(state(a)));
            submit(producer, c, b, 300L, t0.plusMillis(1));
            submit(producer, c, d, null, t0.plusMillis(2));
            await().atMost(Duration.ofSeconds(30)).until(() -> "Queued".equals(state(d)));

            Instant asked = Instant.now();
            JsonPath jb = job(b);
            JsonPath jd = job(d);
            assertEquals(1, jb.getInt("queuePosition"));
            assertEquals(2, jd.getInt("queuePosition"));
            // B: the second node may be added and boots in the default 120 s; D: after B (120 + 300 s), before A (600
            // s)
            assertNear(asked.plusSeconds(120), jb.getString("estimatedStartAt"));
            assertNear(asked.plusSeconds(420), jd.getString("estimatedStartAt"));
            assertTrue(jb.getString("estimateBasis").contains("first in the queue"), jb.getString("estimateBasis"));
            assertTrue(jd.getString("estimateBasis").contains("1 job(s) ahead"), jd.getString("estimateBasis"));
            JsonPath ja = job(a);
            assertNull(ja.get("queuePosition"), "a placed job has no position");
            assertFalse(ja.getMap("").containsKey("estimatedStartAt"));

            // the list shows the same for queued jobs
            List<Map<String, Object>> list = given().header("Authorization", "Bearer " + token())
                    .queryParam("cluster", c)
                    .get("/jobs")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getList("");
            Map<String, Object> listedD =
                    list.stream().filter(j -> d.equals(j.get("id"))).findFirst().orElseThrow();
            assertEquals(2, listedD.get("queuePosition"));

            // the second node comes up: B starts on it, D moves up and now waits for B's end (300 s) before A's (600 s)
            send(
                    producer,
                    Topics.NODES_STATE,
                    c,
                    new NodeStateChanged(c, c + "-1", NodeState.idle, null, null, null, Instant.now()));
            await().atMost(Duration.ofSeconds(30)).until(() -> !"Queued".equals(job(b).getString("state")));
            Instant later = Instant.now();
            JsonPath moved = job(d);
            assertEquals(1, moved.getInt("queuePosition"));
            assertNear(later.plusSeconds(300), moved.getString("estimatedStartAt"));
            assertTrue(
                    moved.getString("estimateBasis").startsWith("first in the queue"),
                    moved.getString("estimateBasis"));
        }
    }

    private static void assertNear(Instant expected, String actual) {
        Instant got = Instant.parse(actual);
        long off = Math.abs(Duration.between(expected, got).toSeconds());
        assertTrue(off <= 15, "expected about " + expected + ", got " + got);
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

    private static void submit(
            KafkaProducer<String, String> producer, String cluster, String id, Long timeout, Instant at)
            throws Exception {
        send(
                producer,
                Topics.JOBS_SUBMITTED,
                cluster,
                new JobSubmitted(id, cluster, new JobSpec("true", 1, Map.of(), null, null, null, timeout), at));
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String key, Object event)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, key, EventJson.write(event))).get();
    }
}
