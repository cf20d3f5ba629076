package dev.ebbtide.messaging;

import static dev.ebbtide.messaging.BadRecords.GOOD_NODE;
import static dev.ebbtide.messaging.BadRecords.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Topics;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class EventConsumerTest {
    private final List<ProducerRecord<byte[], byte[]>> dlq = new ArrayList<>();
    private final List<Duration> waits = new ArrayList<>();
    private final ConsumerHealth health = new ConsumerHealth();
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-02T01:00:00Z"), ZoneOffset.UTC);
    private int dlqFailuresLeft;

    private final DeadLetters deadLetters = new DeadLetters() {
        @Override
        public CompletionStage<Void> send(ConsumerRecord<byte[], byte[]> record, String reason, String consumer) {
            if (dlqFailuresLeft-- > 0) {
                return CompletableFuture.failedFuture(
                        new org.apache.kafka.common.errors.TimeoutException("broker down"));
            }
            dlq.add(DeadLetters.record(record, reason, consumer));
            return CompletableFuture.completedFuture(null);
        }
    };

    private EventConsumer consumer(EventConsumer.Apply<NodeStateChanged> apply) {
        return new EventConsumer("test-in", deadLetters, health, clock, waits::add)
                .on(Topics.NODES_STATE, NodeStateChanged.class, apply);
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] value, long offset) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", new byte[] {1, 2, (byte) 0xFF});
        return new ConsumerRecord<>(
                Topics.NODES_STATE,
                0,
                offset,
                0L,
                TimestampType.CREATE_TIME,
                2,
                value == null ? 0 : value.length,
                bytes("c1"),
                value,
                headers,
                java.util.Optional.empty());
    }

    @Test
    void poisonGoesToTheDeadLetterTopicWithItsExactBytesHeadersAndWhere() {
        byte[] bad = {'{', (byte) 0xC3, (byte) 0x28, 0, '}'};
        List<NodeStateChanged> applied = new ArrayList<>();
        assertEquals(EventConsumer.Outcome.DEAD_LETTERED, consumer(applied::add).accept(record(bad, 17)));
        assertEquals(EventConsumer.Outcome.APPLIED, consumer(applied::add).accept(record(bytes(GOOD_NODE), 18)));
        assertEquals(1, applied.size());
        ProducerRecord<byte[], byte[]> letter = dlq.get(0);
        assertEquals(Topics.INTERNAL_DLQ, letter.topic());
        assertArrayEquals(bad, letter.value());
        assertArrayEquals(bytes("c1"), letter.key());
        assertArrayEquals(
                new byte[] {1, 2, (byte) 0xFF},
                letter.headers().lastHeader("traceparent").value());
        assertEquals(Topics.NODES_STATE, header(letter, DeadLetters.TOPIC));
        assertEquals("0", header(letter, DeadLetters.PARTITION));
        assertEquals("17", header(letter, DeadLetters.OFFSET));
        assertTrue(header(letter, DeadLetters.REASON).contains("not valid UTF-8"), header(letter, DeadLetters.REASON));
    }

    @Test
    void aDependencyOutageIsWaitedOutWithBackoffAndNeverDeadLettered() {
        int[] calls = {0};
        EventConsumer c = consumer(e -> {
            if (++calls[0] <= 12) {
                throw new RuntimeException("insert failed", new ConnectException("Connection refused"));
            }
            assertTrue(!health.allConsuming(), "waiting while the dependency is down");
            assertTrue(
                    health.report().get("test-in").startsWith("waiting for a dependency since 2026-12-02T01:00:00Z"),
                    health.report().toString());
        });
        assertEquals(EventConsumer.Outcome.APPLIED, c.accept(record(bytes(GOOD_NODE), 1)));
        assertEquals(13, calls[0]);
        assertTrue(dlq.isEmpty());
        assertEquals(Duration.ofMillis(200), waits.get(0));
        assertEquals(Duration.ofSeconds(30), waits.get(11), "capped");
        assertTrue(health.allConsuming(), "consuming again once applied");
    }

    @Test
    void kafkaRetriableErrorsAreTransientToo() {
        int[] calls = {0};
        consumer(e -> {
                    if (++calls[0] < 3) {
                        throw new NotEnoughReplicasException("not enough replicas");
                    }
                })
                .accept(record(bytes(GOOD_NODE), 1));
        assertEquals(3, calls[0]);
        assertTrue(dlq.isEmpty());
    }

    @Test
    void aFailureOfTheRecordItselfIsRetriedThenDeadLettered() {
        int[] calls = {0};
        EventConsumer.Outcome outcome = consumer(e -> {
                    calls[0]++;
                    throw new IllegalStateException("timeout must be positive");
                })
                .accept(record(bytes(GOOD_NODE), 5));
        assertEquals(EventConsumer.Outcome.DEAD_LETTERED, outcome);
        assertEquals(3, calls[0]);
        assertTrue(header(dlq.get(0), DeadLetters.REASON).contains("could not be applied (3 attempts)"));
    }

    @Test
    void aDeadLetterThatCannotBeWrittenYetIsRetriedUntilKafkaTakesIt() {
        dlqFailuresLeft = 4;
        assertEquals(
                EventConsumer.Outcome.DEAD_LETTERED, consumer(e -> {}).accept(record(new byte[] {(byte) 0xFF}, 9)));
        assertEquals(1, dlq.size());
        assertEquals(4, waits.size());
        assertTrue(health.allConsuming());
    }

    @Test
    void aRecordOfATopicWithoutHandlerIsSkipped() {
        ConsumerRecord<byte[], byte[]> other = new ConsumerRecord<>("other", 0, 0, null, bytes("x"));
        assertEquals(EventConsumer.Outcome.SKIPPED, consumer(e -> {}).accept(other));
    }

    @Test
    void aTopicWithTwoVersionsRoutesEachRecordByItsCloudEventsType() {
        List<Object> applied = new ArrayList<>();
        EventConsumer c = new EventConsumer("test-in", deadLetters, health, clock, waits::add)
                .on(Topics.CLUSTERS_DEMAND, dev.ebbtide.common.events.ClusterDemandChanged.class, applied::add)
                .on(
                        Topics.CLUSTERS_DEMAND,
                        dev.ebbtide.common.events.EventTypes.CLUSTER_DEMAND_CHANGED_V2,
                        dev.ebbtide.common.events.ClusterDemandChangedV2.class,
                        applied::add);
        String v1 =
                "{\"cluster\":\"c1\",\"queue\":[],\"nodesNeeded\":0,\"busyNodes\":[],\"at\":\"2026-12-02T01:00:00Z\"}";
        String v2 = "{\"cluster\":\"c1\",\"queueHead\":[],\"queuedJobs\":0,\"nodesNeeded\":0,\"bySize\":[],"
                + "\"busyNodes\":[],\"arrivals\":[{\"jobId\":\"j1\",\"nodes\":2,\"submittedAt\":\"2026-12-02T01:00:00Z\"}],"
                + "\"at\":\"2026-12-02T01:00:00Z\"}";
        assertEquals(
                EventConsumer.Outcome.APPLIED,
                c.accept(demand(v1, dev.ebbtide.common.events.EventTypes.CLUSTER_DEMAND_CHANGED)));
        assertEquals(
                EventConsumer.Outcome.APPLIED,
                c.accept(demand(v2, dev.ebbtide.common.events.EventTypes.CLUSTER_DEMAND_CHANGED_V2)));
        assertEquals(
                EventConsumer.Outcome.DEAD_LETTERED,
                c.accept(demand(v2, dev.ebbtide.common.events.EventTypes.CLUSTER_DEMAND_CHANGED)),
                "a v2 body labelled v1");
        assertEquals(2, applied.size());
        assertTrue(applied.get(0) instanceof dev.ebbtide.common.events.ClusterDemandChanged);
        assertEquals(
                "j1",
                ((dev.ebbtide.common.events.ClusterDemandChangedV2) applied.get(1))
                        .arrivals()
                        .get(0)
                        .jobId());
    }

    private static ConsumerRecord<byte[], byte[]> demand(String value, String ceType) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_specversion", bytes("1.0"));
        headers.add("ce_id", bytes(java.util.UUID.randomUUID().toString()));
        headers.add("ce_source", bytes("/ebbtide/scheduler"));
        headers.add("ce_type", bytes(ceType));
        return new ConsumerRecord<>(
                Topics.CLUSTERS_DEMAND,
                0,
                0,
                0L,
                TimestampType.CREATE_TIME,
                2,
                value.length(),
                bytes("c1"),
                bytes(value),
                headers,
                java.util.Optional.empty());
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
