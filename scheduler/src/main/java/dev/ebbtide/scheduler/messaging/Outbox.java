package dev.ebbtide.scheduler.messaging;

import dev.ebbtide.messaging.DeadLetters;
import dev.ebbtide.messaging.HeaderBytes;
import dev.ebbtide.scheduler.persistence.BulkInserts;
import dev.ebbtide.scheduler.persistence.OutboxEntity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.jboss.logging.Logger;

/**
 * The transactional outbox: {@link #add} stores an event with the change that caused it; {@link #relay} sends the
 * stored events in order after the commit and deletes exactly the rows it sent (by id: a row committed meanwhile with
 * a smaller id is never deleted unsent). Relays lock the rows they send, so two relays (two instances) neither send
 * a row twice nor out of order. A periodic relay sends anything a crash or a broker outage left behind. Delivery is
 * at least once; consumers are idempotent. Dead letters are stored as bytes ({@code bytea}) and sent unchanged by
 * messaging-support's {@link DeadLetters} writer.
 */
@ApplicationScoped
public class Outbox {
    private static final Logger LOG = Logger.getLogger(Outbox.class);
    private static final int BATCH = 500;
    private static final int IN_FLIGHT = BATCH;
    static final String DEAD_LETTERS = "dead-letters";

    @Inject
    SchedulerEvents events;

    @Inject
    Clock clock;

    @Inject
    DeadLetters deadLetters;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    private final AtomicBoolean relaying = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    /** Stores an event in the current transaction. */
    public Uni<Void> add(String channel, String key, String payload) {
        return add(channel, null, key, payload, null);
    }

    /** Stores events in the current transaction with one statement per chunk, in list order (ids ascending). */
    public Uni<Void> addAll(List<BulkInserts.OutboxRow> rows) {
        return BulkInserts.outbox(rows);
    }

    /** An event row to store, stamped now. */
    public BulkInserts.OutboxRow row(String channel, String key, String payload) {
        return new BulkInserts.OutboxRow(channel, key, payload, clock.instant());
    }

    /** Stores a dead letter (the original payload and the reason) in the current transaction. */
    public Uni<Void> deadLetter(String sourceTopic, String key, String payload, String reason) {
        OutboxEntity row = row(DEAD_LETTERS, sourceTopic, key, null, reason);
        row.deadLetterKey = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        row.deadLetterValue = payload == null ? null : payload.getBytes(StandardCharsets.UTF_8);
        row.deadLetterHeaders = HeaderBytes.write(null);
        return row.persist().replaceWithVoid();
    }

    /** Stores a dead letter with the record's original key, value and headers as bytes, in the current transaction. */
    public Uni<Void> deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
        OutboxEntity row = row(DEAD_LETTERS, record.topic(), null, null, reason);
        row.deadLetterKey = record.key();
        row.deadLetterValue = record.value();
        row.deadLetterHeaders = HeaderBytes.write(record.headers());
        row.sourcePartition = record.partition();
        row.sourceOffset = record.offset();
        return row.persist().replaceWithVoid();
    }

    private Uni<Void> add(String channel, String sourceTopic, String key, String payload, String reason) {
        return row(channel, sourceTopic, key, payload, reason).persist().replaceWithVoid();
    }

    private OutboxEntity row(String channel, String sourceTopic, String key, String payload, String reason) {
        OutboxEntity row = new OutboxEntity();
        row.channel = channel;
        row.sourceTopic = sourceTopic;
        row.key = key;
        row.payload = payload;
        row.reason = reason;
        row.createdAt = clock.instant();
        return row;
    }

    /** Sends every stored event, oldest first; one relay at a time (a request during a relay runs it again). */
    public Uni<Void> relay() {
        if (!relaying.compareAndSet(false, true)) {
            again.set(true);
            return Uni.createFrom().voidItem();
        }
        long start = System.nanoTime();
        return drain().invoke(() -> registry.timer("ebbtide_scheduler_outbox_relay_seconds")
                        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS))
                .eventually(() -> relaying.set(false))
                .onFailure()
                .invoke(e -> LOG.warnf("outbox relay failed, will retry: %s", e.getMessage()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid()
                .chain(() -> again.getAndSet(false) ? relay() : Uni.createFrom().voidItem());
    }

    /**
     * Starts a relay on a context of its own and returns at once: the consumer goes on with its next batch while the
     * events of the last one are sent (one relay at a time; a request during a relay runs it again).
     */
    public void relayInBackground() {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(v -> relay().subscribe()
                .with(ok -> {}, e -> LOG.warnf("outbox relay failed, will retry: %s", e.getMessage())));
    }

    @Scheduled(
            every = "${ebbtide.scheduler.outbox-relay-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relayLeftovers() {
        return relay();
    }

    /**
     * Every scheduler instance relays any row. The oldest rows are locked with {@code FOR UPDATE} (not {@code SKIP
     * LOCKED}): a second relay waits on the first's rows until it commits, then finds them deleted and skips them, and
     * goes on from the next row in id order. So no row is sent twice, and rows go out in id order: for one cluster,
     * the order its owner decided them in. {@code SKIP LOCKED} would let a second relay send newer rows while the
     * first is still sending older ones, out of order.
     */
    private Uni<Void> drain() {
        return Panache.withTransaction(() -> OutboxEntity.<OutboxEntity>find("order by id")
                        .withLock(LockModeType.PESSIMISTIC_WRITE)
                        .range(0, BATCH - 1)
                        .list()
                        .chain(rows -> rows.isEmpty()
                                ? Uni.createFrom().item(false)
                                : send(rows).chain(() -> deleteSent(rows)).replaceWith(rows.size() == BATCH)))
                .chain(more -> more ? drain() : Uni.createFrom().voidItem());
    }

    /**
     * Sends rows in chunks of {@link #IN_FLIGHT}: a chunk's sends are handed to the producer in id order and awaited
     * together (the producer keeps the order per partition), instead of one round trip to the broker per event.
     */
    private Uni<Void> send(List<OutboxEntity> rows) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int from = 0; from < rows.size(); from += IN_FLIGHT) {
            List<OutboxEntity> chunk = rows.subList(from, Math.min(rows.size(), from + IN_FLIGHT));
            chain = chain.chain(() -> Uni.join()
                    .all(chunk.stream().map(this::send).toList())
                    .andFailFast()
                    .replaceWithVoid());
        }
        return chain;
    }

    private Uni<Void> send(OutboxEntity row) {
        if (DEAD_LETTERS.equals(row.channel) && row.deadLetterHeaders != null) { // stored as bytes
            // the producer completes on its own thread; Hibernate Reactive must go on on this Vert.x context
            Context context = Vertx.currentContext();
            Uni<Void> sent =
                    Uni.createFrom().completionStage(() -> deadLetters.send(original(row), row.reason, "scheduler"));
            return context == null ? sent : sent.emitOn(task -> context.runOnContext(ignored -> task.run()));
        }
        return events.send(row.channel, row.sourceTopic, row.key, row.payload, row.reason);
    }

    /** The dead letter's original record, rebuilt from the stored bytes. */
    private static ConsumerRecord<byte[], byte[]> original(OutboxEntity row) {
        return new ConsumerRecord<>(
                row.sourceTopic,
                row.sourcePartition == null ? -1 : row.sourcePartition,
                row.sourceOffset == null ? -1 : row.sourceOffset,
                ConsumerRecord.NO_TIMESTAMP,
                TimestampType.NO_TIMESTAMP_TYPE,
                -1,
                -1,
                row.deadLetterKey,
                row.deadLetterValue,
                HeaderBytes.read(row.deadLetterHeaders),
                Optional.empty());
    }

    /** Deletes exactly the rows that were sent, by id. */
    private static Uni<Void> deleteSent(List<OutboxEntity> rows) {
        return OutboxEntity.delete("id in ?1", rows.stream().map(r -> r.id).toList())
                .replaceWithVoid();
    }
}
