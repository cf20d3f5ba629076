package dev.ebbtide.autoscaler.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A revocation never lets a record of the revoked partition land after it, nor while it runs. */
class ReplayedTest {
    static final TopicPartition P0 = new TopicPartition(Topics.NODES_STATE, 0);

    @Test
    void aRevocationWaitsForTheRecordBeingAppliedAndThenNothingOfThePartitionIsApplied() throws Exception {
        Replayed replayed = new Replayed();
        replayed.upTo(Map.of(P0, 5L));
        List<Long> applied = new CopyOnWriteArrayList<>();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread channel = new Thread(
                () -> replayed.applyIfCurrent(record(7), r -> {
                    inside.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    applied.add(r.offset());
                }),
                "channel");
        channel.start();
        assertTrue(inside.await(10, TimeUnit.SECONDS));

        Thread revoker = new Thread(() -> replayed.forget(List.of(P0)), "revoker");
        revoker.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> revoker.getState() == Thread.State.BLOCKED);
        release.countDown();
        revoker.join(10_000);
        channel.join(10_000);

        replayed.applyIfCurrent(record(8), r -> applied.add(r.offset()));
        replayed.applyIfCurrent(record(4), r -> applied.add(r.offset()));
        assertEquals(List.of(7L), applied, "the record in progress finished; nothing after the revocation");
    }

    @Test
    void recordsTheReplayAlreadyAppliedAreSkipped() {
        Replayed replayed = new Replayed();
        replayed.upTo(Map.of(P0, 5L));
        List<Long> applied = new CopyOnWriteArrayList<>();
        for (long offset : new long[] {3, 4, 5, 6}) {
            replayed.applyIfCurrent(record(offset), r -> applied.add(r.offset()));
        }
        assertEquals(List.of(5L, 6L), applied);
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset) {
        return new ConsumerRecord<>(P0.topic(), P0.partition(), offset, new byte[0], new byte[0]);
    }
}
