package dev.ebbtide.autoscaler.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.RealInfraTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Poison on the real broker: bad records of every kind, interleaved with good ones, on the autoscaler's channel.
 * Every bad record lands on the dead-letter topic byte for byte with a reason; every good one takes effect; the
 * channel stays up.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class PoisonRecordsTest {

    @org.junit.jupiter.api.BeforeEach
    void withToken() {
        io.restassured.RestAssured.requestSpecification = new io.restassured.builder.RequestSpecBuilder()
                .addHeader(
                        "Authorization",
                        "Bearer " + dev.ebbtide.devsupport.DevTokens.testToken("poison-operator", "operator"))
                .build();
    }

    private static final String CLUSTER = "poison-cluster";

    record Sent(String kind, String topic, byte[] value, RecordHeaders headers) {}

    @Test
    void badRecordsAreDeadLetteredExactlyAndGoodOnesStillTakeEffect() throws Exception {
        given().contentType("application/json")
                .body("{\"name\":\"" + CLUSTER + "\",\"type\":\"amlcompute\",\"max_instances\":50,"
                        + "\"idle_time_before_scale_down\":3600}")
                .post("/clusters")
                .then()
                .statusCode(201);

        List<Sent> bad = badRecords();
        Map<String, Sent> sentBad = new LinkedHashMap<>(); // "topic/partition/offset" -> record
        List<String> goodNodes = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", RealInfraTestResource.bootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            int n = 0;
            for (Sent b : bad) {
                RecordMetadata m = producer.send(
                                new ProducerRecord<>(b.topic(), null, bytes(CLUSTER), b.value(), b.headers()))
                        .get();
                sentBad.put(m.topic() + "/" + m.partition() + "/" + m.offset(), b);
                String node = CLUSTER + "-" + n++;
                goodNodes.add(node);
                producer.send(new ProducerRecord<>(
                                Topics.NODES_STATE,
                                null,
                                bytes(CLUSTER),
                                bytes(node(node, "idle")),
                                ce("dev.ebbtide.node.state-changed.v1", "2026-11-26T20:42:36.060Z")))
                        .get();
            }
        }

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() ->
                        given().get("/clusters/" + CLUSTER).then().body("nodes.name", hasItems(goodNodes.toArray())));

        Map<String, ConsumerRecord<byte[], byte[]>> letters = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        RealInfraTestResource.bootstrapServers(),
                        "group.id",
                        "t-" + UUID.randomUUID(),
                        "auto.offset.reset",
                        "earliest"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            dlq.assign(List.of(new TopicPartition(Topics.INTERNAL_DLQ, 0)));
            dlq.seekToBeginning(List.of(new TopicPartition(Topics.INTERNAL_DLQ, 0)));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!letters.keySet().containsAll(sentBad.keySet()) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(500))) {
                    if (List.of("autoscaler-in", "clusters-in").contains(text(r, "dead-letter-consumer"))) {
                        letters.put(
                                text(r, "dead-letter-topic") + "/" + text(r, "dead-letter-partition") + "/"
                                        + text(r, "dead-letter-offset"),
                                r);
                    }
                }
            }
        }
        for (Map.Entry<String, Sent> e : sentBad.entrySet()) {
            Sent sent = e.getValue();
            ConsumerRecord<byte[], byte[]> letter = letters.get(e.getKey());
            assertNotNull(letter, sent.kind() + " was not dead-lettered");
            assertArrayEquals(sent.value(), letter.value(), sent.kind() + ": the exact original bytes");
            assertArrayEquals(bytes(CLUSTER), letter.key(), sent.kind() + ": the original key");
            String reason = text(letter, "dead-letter-reason");
            assertTrue(reason != null && !reason.isBlank(), sent.kind() + ": a reason");
            if (sent.headers() != null && sent.headers().lastHeader("ce_time") != null) {
                assertArrayEquals(
                        sent.headers().lastHeader("ce_time").value(),
                        letter.headers().lastHeader("ce_time").value(),
                        sent.kind() + ": original headers kept");
            }
            System.out.printf("bad input %-28s -> %s%n", sent.kind(), reason);
        }
        assertEquals(bad.size(), sentBad.size());

        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    private static List<Sent> badRecords() {
        String good = node(CLUSTER + "-x", "idle");
        String demand = "{\"cluster\":\"" + CLUSTER + "\",\"queue\":[],\"nodesNeeded\":0,\"busyNodes\":[]}";
        List<Sent> bad = new ArrayList<>();
        bad.add(new Sent(
                "non-UTF-8", Topics.NODES_STATE, new byte[] {'{', '"', (byte) 0xC3, 0x28, '"', ':', '1', '}'}, null));
        bad.add(new Sent("NUL byte", Topics.NODES_STATE, bytes(good.replace("idle\"", "idle\0\"")), null));
        bad.add(new Sent("escaped NUL", Topics.NODES_STATE, bytes(good.replace("-x", "-\\u0000")), null));
        bad.add(new Sent("truncated JSON", Topics.NODES_STATE, bytes(good.substring(0, 25)), null));
        bad.add(new Sent("JSON array", Topics.CLUSTERS_DEMAND, bytes("[" + demand + "]"), null));
        bad.add(new Sent(
                "wrong type",
                Topics.CLUSTERS_DEMAND,
                bytes(demand.replace("\"nodesNeeded\":0", "\"nodesNeeded\":\"0\"")),
                null));
        bad.add(new Sent(
                "fraction for a whole number",
                Topics.CLUSTERS_DEMAND,
                bytes(demand.replace("\"nodesNeeded\":0", "\"nodesNeeded\":2.9")),
                null));
        bad.add(new Sent("unknown enum value", Topics.NODES_STATE, bytes(good.replace("idle", "zombie")), null));
        bad.add(new Sent(
                "ce_time without offset",
                Topics.NODES_STATE,
                bytes(good),
                ce("dev.ebbtide.node.state-changed.v1", "2026-11-26T20:42:36")));
        RecordHeaders emptyId = ce("dev.ebbtide.node.state-changed.v1", "2026-11-26T20:42:36Z");
        emptyId.remove("ce_id");
        emptyId.add("ce_id", new byte[0]);
        bad.add(new Sent("empty ce_id", Topics.NODES_STATE, bytes(good), emptyId));
        bad.add(new Sent(
                "ce_type of another topic",
                Topics.NODES_STATE,
                bytes(good),
                ce("dev.ebbtide.scale.requested.v1", "2026-11-26T20:42:36Z")));
        bad.add(new Sent(
                "oversized field", Topics.NODES_STATE, bytes(good.replace("-x", "-" + "x".repeat(70_000))), null));
        bad.add(new Sent("empty value", Topics.CLUSTERS_BACKOFF, new byte[0], null));
        bad.add(new Sent("null value (tombstone)", Topics.NODES_STATE, null, null));
        bad.add(new Sent(
                "missing required field",
                Topics.CLUSTERS_BACKOFF,
                bytes("{\"until\":\"2026-11-26T21:00:30Z\"}"),
                null));
        bad.add(new Sent(
                "bad cluster definition",
                Topics.CLUSTERS,
                bytes("{\"spec\":{\"name\":\"Not A Name\",\"maxInstances\":1}}"),
                null));
        return bad;
    }

    private static String node(String name, String state) {
        return "{\"cluster\":\"" + CLUSTER + "\",\"node\":\"" + name + "\",\"state\":\"" + state
                + "\",\"at\":\"2026-11-26T20:42:36.060Z\"}";
    }

    private static RecordHeaders ce(String type, String time) {
        RecordHeaders h = new RecordHeaders();
        h.add("ce_specversion", bytes("1.0"));
        h.add("ce_id", bytes(UUID.randomUUID().toString()));
        h.add("ce_source", bytes("/test"));
        h.add("ce_type", bytes(type));
        h.add("ce_time", bytes(time));
        return h;
    }

    private static String text(ConsumerRecord<byte[], byte[]> r, String header) {
        var h = r.headers().lastHeader(header);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
