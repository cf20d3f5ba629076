package dev.ebbtide.scheduler.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.scheduler.persistence.OutboxEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * The outbox relay on a real PostgreSQL: two relays run while rows are added concurrently; every row is sent at least
 * once and no row is deleted unsent. Dead letters keep their exact bytes through the {@code bytea} columns.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
@TestProfile(OutboxRelayTest.NoPeriodicRelay.class)
class OutboxRelayTest {
    /**
     * Only this test's relays run: no scheduled methods at all. (With a long relay interval the periodic relay still
     * fired once at start-up, and when it took a row first, this test's relay never saw it: a flaky failure on CI.)
     */
    public static class NoPeriodicRelay implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.scheduler.enabled", "false");
        }
    }

    private static final String CHANNEL = "relay-test";
    private final Set<String> sent = ConcurrentHashMap.newKeySet();
    private final List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();

    /** Records what it "sends", slowly, so rows committed meanwhile fall between the relay's read and its delete. */
    class RecordingEvents extends SchedulerEvents {
        @Override
        Uni<Void> send(String channel, String sourceTopic, String key, String payload, String reason) {
            return Uni.createFrom()
                    .voidItem()
                    .onItem()
                    .delayIt()
                    .by(Duration.ofMillis(2))
                    .invoke(() -> sent.add(payload));
        }
    }

    private Outbox relay() {
        Outbox outbox = new Outbox();
        outbox.events = new RecordingEvents();
        outbox.clock = Clock.systemUTC();
        outbox.deadLetters = (record, reason, consumer) -> {
            synchronized (letters) {
                letters.add(record);
            }
            return CompletableFuture.completedFuture(null);
        };
        return outbox;
    }

    @Test
    void twoRelaysAndConcurrentAddsSendEveryRowAndDeleteOnlySentOnes() throws Exception {
        Outbox writer = relay();
        Outbox first = relay();
        Outbox second = relay();
        int rows = 400;
        AtomicBoolean adding = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> adders = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            adders.add(pool.submit(() -> {
                for (int i = thread; i < rows; i += 4) {
                    String payload = "row-" + i;
                    // like the scheduler's transactions: the row gets its id, then work goes on before the commit,
                    // so rows commit out of id order
                    long work = java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 15);
                    await(() -> Panache.withTransaction(() ->
                            writer.add(CHANNEL, "k", payload).onItem().delayIt().by(Duration.ofMillis(work))));
                }
                return null;
            }));
        }
        List<Future<?>> relays = new ArrayList<>();
        for (Outbox relay : List.of(first, second)) {
            relays.add(pool.submit(() -> {
                while (adding.get()) {
                    await(relay::relay);
                }
                return null;
            }));
        }
        for (Future<?> f : adders) {
            f.get(120, TimeUnit.SECONDS);
        }
        adding.set(false);
        for (Future<?> f : relays) {
            f.get(120, TimeUnit.SECONDS);
        }
        await(first::relay); // whatever was added after the relays' last pass
        pool.shutdown();

        for (int i = 0; i < rows; i++) {
            assertTrue(sent.contains("row-" + i), "row-" + i + " was deleted without being sent (or never sent)");
        }
        assertEquals(0L, (long) await(() -> Panache.withSession(() -> OutboxEntity.count("channel", CHANNEL))));
    }

    @Test
    void deadLettersKeepTheirExactBytesAndHeaders() throws Exception {
        Outbox outbox = relay();
        byte[] value = {'{', 0, (byte) 0xC3, 0x28, (byte) 0xFF, '}'};
        byte[] key = {(byte) 0xFE, 'k'};
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_time", "2026-11-26T20:42:36".getBytes(StandardCharsets.UTF_8));
        headers.add("binary", new byte[] {0, 1, 2});
        ConsumerRecord<byte[], byte[]> bad = new ConsumerRecord<>(
                "ebbtide.jobs.submitted",
                0,
                42L,
                0L,
                TimestampType.CREATE_TIME,
                key.length,
                value.length,
                key,
                value,
                headers,
                java.util.Optional.empty());
        await(() -> Panache.withTransaction(() -> outbox.deadLetter(bad, "value is not valid UTF-8")));
        await(outbox::relay);
        ConsumerRecord<byte[], byte[]> letter =
                letters.stream().filter(r -> r.offset() == 42L).findFirst().orElseThrow();
        assertArrayEquals(value, letter.value());
        assertArrayEquals(key, letter.key());
        assertArrayEquals(
                new byte[] {0, 1, 2}, letter.headers().lastHeader("binary").value());
        assertEquals("ebbtide.jobs.submitted", letter.topic());
        assertEquals(0, letter.partition());
    }

    private static <T> T await(java.util.function.Supplier<Uni<T>> work) throws Exception {
        try {
            return VertxContextSupport.subscribeAndAwait(work::get);
        } catch (Throwable e) {
            throw new Exception(e);
        }
    }
}
