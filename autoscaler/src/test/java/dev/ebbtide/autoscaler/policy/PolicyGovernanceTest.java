package dev.ebbtide.autoscaler.policy;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ebbtide.autoscaler.messaging.LatestPerKey;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.PolicyChanged;
import dev.ebbtide.common.events.PolicyHistory;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.ScalingDecisionRecorded;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.DecisionReplay;
import dev.ebbtide.devsupport.DevTokens;
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
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Policy governance through the REST API on the real broker: versions with author, reason and diff, rollback, the
 * audit and compacted topics, decisions naming the policy version, and their replay.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class PolicyGovernanceTest {
    static final String CLUSTER = "gov-cluster";

    static String operator() {
        return "Bearer " + DevTokens.testToken("alice", "operator");
    }

    @Test
    void changesBecomeVersionsThatCanBeRolledBackAndDecisionsNameTheirVersionAndReplay() throws Exception {
        Instant start = Instant.now().minusSeconds(1);
        given().header("Authorization", operator())
                .contentType("application/json")
                .body("{\"name\":\"" + CLUSTER + "\",\"type\":\"amlcompute\",\"max_instances\":4,"
                        + "\"idle_time_before_scale_down\":120}")
                .post("/clusters")
                .then()
                .statusCode(201);
        given().header("Authorization", operator())
                .contentType("application/json")
                .body(
                        "{\"min_instances\": 1, \"idle_time_before_scale_down\": 600, \"reason\": \"warm pool for the demo\"}")
                .put("/clusters/" + CLUSTER + "/policy")
                .then()
                .statusCode(200)
                .body("spec.minInstances", equalTo(1));

        given().header("Authorization", "Bearer " + DevTokens.testToken("val", "viewer"))
                .get("/clusters/" + CLUSTER + "/policy/history")
                .then()
                .statusCode(200)
                .body("current", equalTo(2))
                .body("versions[0].version", equalTo(2))
                .body("versions[0].principal", equalTo("alice"))
                .body("versions[0].reason", equalTo("warm pool for the demo"))
                .body("versions[0].changes.field", equalTo(List.of("min_instances", "idle_time_before_scale_down")))
                .body("versions[0].changes.from", equalTo(List.of("0", "120")))
                .body("versions[0].changes.to", equalTo(List.of("1", "600")))
                .body("versions[1].version", equalTo(1))
                .body("versions[1].settings.policy", equalTo("fixed-idle"));

        // min 1 raises the cluster: that decision names version 2
        ScaleRequested up = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> read(Topics.SCALE_REQUESTS).stream()
                                .map(v -> EventJson.read(v, ScaleRequested.class))
                                .toList(),
                        l -> !l.isEmpty())
                .get(0);
        assertEquals(2, up.policyVersion());
        assertEquals("fixed-idle", up.policy());
        given().header("Authorization", operator())
                .get("/clusters/" + CLUSTER + "/decisions")
                .then()
                .body("[0].policyVersion", equalTo(2))
                .body("[0].policy", equalTo("fixed-idle"));

        given().header("Authorization", "Bearer " + DevTokens.testToken("val", "viewer"))
                .contentType("application/json")
                .body("{\"version\": 1}")
                .post("/clusters/" + CLUSTER + "/policy/rollback")
                .then()
                .statusCode(403);
        given().header("Authorization", operator())
                .contentType("application/json")
                .body("{\"version\": 9}")
                .post("/clusters/" + CLUSTER + "/policy/rollback")
                .then()
                .statusCode(404)
                .body("error", equalTo("cluster 'gov-cluster' has no policy version 9; kept: 1 to 2"));
        given().header("Authorization", operator())
                .contentType("application/json")
                .body("{}")
                .post("/clusters/" + CLUSTER + "/policy/rollback")
                .then()
                .statusCode(400)
                .body("error", containsString("give the version to restore"));
        given().header("Authorization", operator())
                .contentType("application/json")
                .body("{\"version\": 1, \"reason\": \"" + "x".repeat(501) + "\"}")
                .post("/clusters/" + CLUSTER + "/policy/rollback")
                .then()
                .statusCode(400)
                .body("error", equalTo("reason is at most 500 characters, got 501"));
        given().header("Authorization", operator())
                .contentType("application/json")
                .body("{\"version\": 1, \"reason\": \"too costly\"}")
                .post("/clusters/" + CLUSTER + "/policy/rollback")
                .then()
                .statusCode(200)
                .body("version", equalTo(3))
                .body("rollbackOf", equalTo(1))
                .body("principal", equalTo("alice"))
                .body("settings.minInstances", equalTo(0))
                .body("settings.idleTimeBeforeScaleDown", equalTo(120));
        given().header("Authorization", operator())
                .get("/clusters/" + CLUSTER)
                .then()
                .body("spec.minInstances", equalTo(0))
                .body("spec.idleTimeBeforeScaleDown", equalTo(120));
        // a change that changes nothing makes no version
        given().header("Authorization", operator())
                .contentType("application/json")
                .body("{\"min_instances\": 0}")
                .put("/clusters/" + CLUSTER + "/policy")
                .then()
                .statusCode(200);
        given().header("Authorization", operator())
                .get("/clusters/" + CLUSTER + "/policy/history")
                .then()
                .body("current", equalTo(3))
                .body("versions[0].reason", equalTo("too costly"))
                .body("versions[2].reason", nullValue());

        // the audit topic has every change; the compacted topic's latest record is the whole history
        List<PolicyChanged> audit = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> read(Topics.POLICIES_AUDIT).stream()
                                .map(v -> EventJson.read(v, PolicyChanged.class))
                                .toList(),
                        l -> l.size() >= 3);
        assertEquals(
                List.of(1, 2, 3), audit.stream().map(c -> c.version().version()).toList());
        List<PolicyHistory> histories = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> read(Topics.POLICIES).stream()
                                .map(v -> EventJson.read(v, PolicyHistory.class))
                                .toList(),
                        l -> !l.isEmpty() && l.get(l.size() - 1).versions().size() == 3);
        assertEquals(1, histories.get(histories.size() - 1).versions().get(2).rollbackOf());
        // what a restarted autoscaler reads back (PolicyBook.load)
        Map<String, PolicyHistory> readBack = LatestPerKey.read(
                Map.of("bootstrap.servers", RealInfraTestResource.bootstrapServers()),
                Topics.POLICIES,
                PolicyHistory.class,
                PolicyHistory::cluster,
                Duration.ofSeconds(10));
        assertEquals(
                List.of(1, 2, 3),
                readBack.get(CLUSTER).versions().stream().map(v -> v.version()).toList());
        assertEquals("default", readBack.get("local").versions().get(0).principal()); // the built-in cluster

        // the recorded decisions replay identically; a tampered one is reported
        Map<String, Object> client = Map.of("bootstrap.servers", RealInfraTestResource.bootstrapServers());
        List<ScalingDecisionRecorded> recorded = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> DecisionReplay.read(client, CLUSTER, start, Duration.ofSeconds(10)),
                        l -> l.stream().anyMatch(ScalingDecisionRecorded::changed));
        ScalingDecisionRecorded changed = recorded.stream()
                .filter(ScalingDecisionRecorded::changed)
                .findFirst()
                .orElseThrow();
        assertEquals(2, changed.policyVersion());
        assertEquals(up.requestId(), changed.requestId());
        assertEquals(1, changed.snapshot().path("settings").path("minNodes").asInt());
        assertEquals(List.of(), DecisionReplay.replay(recorded));

        ObjectNode tamperedDecision = changed.decision().deepCopy();
        tamperedDecision.put("targetCount", 3);
        List<ScalingDecisionRecorded> tampered = new ArrayList<>(recorded);
        tampered.set(
                recorded.indexOf(changed),
                new ScalingDecisionRecorded(
                        changed.id(),
                        changed.cluster(),
                        changed.at(),
                        changed.policy(),
                        changed.policyVersion(),
                        changed.nodeBootTimeS(),
                        true,
                        changed.requestId(),
                        changed.snapshot(),
                        tamperedDecision));
        List<DecisionReplay.Mismatch> found = DecisionReplay.replay(tampered);
        assertEquals(1, found.size());
        assertTrue(
                found.get(0).toString().contains("\"targetCount\":3"),
                found.get(0).toString());
        assertFalse(found.get(0).recomputed().equals(tamperedDecision));
    }

    /** Every value on {@code topic} keyed by this test's cluster, in partition order. */
    static List<String> read(String topic) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", RealInfraTestResource.bootstrapServers()),
                new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (CLUSTER.equals(r.key())) {
                        values.add(new String(r.value().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return values;
    }
}
