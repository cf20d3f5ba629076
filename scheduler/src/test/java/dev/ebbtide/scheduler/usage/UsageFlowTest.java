package dev.ebbtide.scheduler.usage;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Usage from node lifetimes on a real broker and PostgreSQL: a GPU node's 780 s (60 s booting, 60 s idle, 600 s
 * running a job of team vision, 60 s idle) and a second node's 300 s idle; the job's and idle time add up to the
 * lifetimes, priced from vm-prices.csv; redelivered events count once; who sees what.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class UsageFlowTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    KafkaProducer<byte[], byte[]> producer;
    String cluster;
    String team;
    final Instant t0 = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);

    @BeforeEach
    void setUp() throws Exception {
        producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new ByteArraySerializer(), new ByteArraySerializer());
        cluster = "usage-" + UUID.randomUUID().toString().substring(0, 8);
        team = "team-" + cluster;
        send(
                Topics.CLUSTERS,
                new ClusterDefined(
                        new ClusterSpec(cluster, "Standard_NC6s_v3", "dedicated", 0, 2, 60, "eastus"), null, t0));
    }

    @AfterEach
    void tearDown() {
        producer.close();
    }

    @Test
    void jobAndIdleTimeAddUpToNodeLifetimesAndArePriced() throws Exception {
        String jobId = UUID.randomUUID().toString();
        send(
                Topics.JOBS_SUBMITTED,
                new JobSubmitted(
                        jobId,
                        cluster,
                        new JobSpec("echo", 1, Map.of(), null, null, "medium", null),
                        t0,
                        "alice",
                        team));
        String a = cluster + "-0";
        String b = cluster + "-1";
        List<NodeStateChanged> flow = List.of(
                node(a, NodeState.preparing, null, 0),
                node(b, NodeState.preparing, null, 0),
                node(a, NodeState.idle, null, 60),
                node(a, NodeState.running, jobId, 120),
                node(a, NodeState.running, jobId, 130), // the same job again: the segment goes on
                node(b, NodeState.lost, null, 200),
                node(b, NodeState.deleted, null, 300),
                node(a, NodeState.idle, null, 720),
                node(a, NodeState.deleted, null, 780));
        for (NodeStateChanged e : flow) {
            send(Topics.NODES_STATE, e);
        }
        send(Topics.NODES_STATE, flow.get(3)); // redelivered after the node was freed: no effect
        send(Topics.NODES_STATE, flow.get(8)); // a repeated deletion: no effect

        String operator = DevTokens.testToken("usage-operator", "operator");
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> given().auth()
                        .oauth2(operator)
                        .queryParam("by", "cluster")
                        .queryParam("since", "3h")
                        .get("/usage")
                        .then()
                        .statusCode(200)
                        .body("rows.find { it.key == '" + cluster + "' }.nodeSeconds", equalTo(1080.0f)));
        JsonPath byCluster = usage(operator, "cluster");
        // the lifetimes: a 780 s, b 300 s; a's job 600 s, the rest idle
        assertEquals(1080.0, row(byCluster, cluster).getDouble("nodeSeconds"), 1e-6);
        assertEquals(480.0, row(byCluster, cluster).getDouble("idleNodeSeconds"), 1e-6);
        assertEquals("USD", byCluster.getString("currency"));

        JsonPath byTeam = usage(operator, "team");
        Map<String, Object> vision = row(byTeam, team).getMap("");
        assertEquals(600.0, ((Number) vision.get("nodeSeconds")).doubleValue(), 1e-6);
        assertEquals(1.0, ((Number) vision.get("coreHours")).doubleValue(), 1e-6); // 6 cores × 1/6 h
        assertEquals(0.1667, ((Number) vision.get("gpuHours")).doubleValue(), 1e-6);
        assertEquals(0.51, ((Number) vision.get("estimatedCost")).doubleValue(), 1e-6); // 3.06 USD/h × 1/6 h

        JsonPath byJob = usage(operator, "job");
        assertEquals(600.0, row(byJob, jobId).getDouble("nodeSeconds"), 1e-6);
        assertEquals("user", usage(operator, "user").getString("by"));
        given().auth()
                .oauth2(operator)
                .queryParam("by", "user")
                .get("/usage")
                .then()
                .body("rows.key", hasItem("alice"));

        // a submitter sees only its own jobs' usage, never idle time
        given().auth()
                .oauth2(DevTokens.testToken("alice", "submitter"))
                .queryParam("by", "cluster")
                .get("/usage")
                .then()
                .statusCode(200)
                .body("rows.find { it.key == '" + cluster + "' }.nodeSeconds", equalTo(600.0f))
                .body("rows.find { it.key == '" + cluster + "' }.idleNodeSeconds", equalTo(0.0f));
        given().auth()
                .oauth2(DevTokens.testToken("mallory", "submitter"))
                .queryParam("by", "cluster")
                .get("/usage")
                .then()
                .statusCode(200)
                .body("rows.find { it.key == '" + cluster + "' }", equalTo(null));
        // a viewer sees the totals
        given().auth()
                .oauth2(DevTokens.testToken("usage-viewer", "viewer"))
                .queryParam("by", "cluster")
                .get("/usage")
                .then()
                .body("rows.find { it.key == '" + cluster + "' }.nodeSeconds", equalTo(1080.0f));
    }

    @Test
    void badByOrSinceGetsOneSentence() {
        String operator = DevTokens.testToken("usage-operator", "operator");
        given().auth()
                .oauth2(operator)
                .queryParam("by", "project")
                .get("/usage")
                .then()
                .statusCode(400)
                .body("error", equalTo("by must be team, user, cluster or job, not 'project'"));
        given().auth()
                .oauth2(operator)
                .queryParam("since", "a month")
                .get("/usage")
                .then()
                .statusCode(400)
                .body(
                        "error",
                        equalTo("since must be a time back from now such as 30d, 12h or 90m, or an ISO-8601 instant"
                                + " such as 2026-01-01T00:00:00Z, not 'a month'"));
        given().get("/usage").then().statusCode(401);
    }

    private static JsonPath usage(String token, String by) {
        return given().auth()
                .oauth2(token)
                .queryParam("by", by)
                .queryParam("since", "3h")
                .get("/usage")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static JsonPath row(JsonPath answer, String key) {
        List<Map<String, Object>> rows = answer.getList("rows");
        Map<String, Object> row = rows.stream()
                .filter(r -> key.equals(r.get("key")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no row " + key + " in " + rows));
        return new JsonPath(EventJson.write(row));
    }

    private NodeStateChanged node(String name, NodeState state, String jobId, long second) {
        return new NodeStateChanged(cluster, name, state, null, jobId, null, t0.plusSeconds(second));
    }

    private void send(String topic, Object event) throws Exception {
        producer.send(new ProducerRecord<>(
                        topic,
                        cluster.getBytes(StandardCharsets.UTF_8),
                        EventJson.write(event).getBytes(StandardCharsets.UTF_8)))
                .get();
    }
}
