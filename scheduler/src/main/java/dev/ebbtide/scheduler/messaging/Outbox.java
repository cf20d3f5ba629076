package dev.ebbtide.scheduler.messaging;

import dev.ebbtide.scheduler.persistence.OutboxEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The transactional outbox: {@link #add} stores an event with the change that caused it; {@link #relay} sends the
 * stored events in order after the commit and deletes them once Kafka has them. A periodic relay sends anything a
 * crash or a broker outage left behind. Delivery is at least once; consumers are idempotent.
 */
@ApplicationScoped
public class Outbox {
    private static final Logger LOG = Logger.getLogger(Outbox.class);
    private static final int BATCH = 500;
    private static final int IN_FLIGHT = 100;

    @Inject
    SchedulerEvents events;
    @Inject
    Clock clock;
    @Inject
    Vertx vertx;
    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    private final AtomicBoolean relaying = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    /** Stores an event in the current transaction. */
    public Uni<Void> add(String channel, String key, String payload) {
        return add(channel, null, key, payload, null);
    }

    /** Stores a dead letter (the original payload and the reason) in the current transaction. */
    public Uni<Void> deadLetter(String sourceTopic, String key, String payload, String reason) {
        return add("dead-letters", sourceTopic, key, payload, reason);
    }

    private Uni<Void> add(String channel, String sourceTopic, String key, String payload, String reason) {
        OutboxEntity row = new OutboxEntity();
        row.channel = channel;
        row.sourceTopic = sourceTopic;
        row.key = key;
        row.payload = payload;
        row.reason = reason;
        row.createdAt = clock.instant();
        return row.persist().replaceWithVoid();
    }

    /** Sends every stored event, oldest first; one relay at a time (a request during a relay runs it again). */
    public Uni<Void> relay() {
        if (!relaying.compareAndSet(false, true)) {
            again.set(true);
            return Uni.createFrom().voidItem();
        }
        long start = System.nanoTime();
        return drain().invoke(() -> registry.timer("ebbtide_scheduler_outbox_relay_seconds")
                .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS))
                .eventually(() -> relaying.set(false))
                .onFailure().invoke(e -> LOG.warnf("outbox relay failed, will retry: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid()
                .chain(() -> again.getAndSet(false) ? relay() : Uni.createFrom().voidItem());
    }

    /**
     * Starts a relay on a context of its own and returns at once: the consumer goes on with its next batch while the
     * events of the last one are sent (one relay at a time; a request during a relay runs it again).
     */
    public void relayInBackground() {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(v -> relay().subscribe().with(ok -> {
        }, e -> LOG.warnf("outbox relay failed, will retry: %s", e.getMessage())));
    }

    @Scheduled(every = "${ebbtide.scheduler.outbox-relay-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relayLeftovers() {
        return relay();
    }

    private Uni<Void> drain() {
        return Panache.withTransaction(() -> OutboxEntity.<OutboxEntity>find("order by id").range(0, BATCH - 1).list()
                .chain(rows -> rows.isEmpty() ? Uni.createFrom().item(false) : send(rows).chain(() -> deleteAll(rows)).replaceWith(rows.size() == BATCH)))
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
            chain = chain.chain(() -> Uni.join().all(chunk.stream()
                    .map(row -> events.send(row.channel, row.sourceTopic, row.key, row.payload, row.reason)).toList())
                    .andFailFast().replaceWithVoid());
        }
        return chain;
    }

    private static Uni<Void> deleteAll(List<OutboxEntity> rows) {
        return OutboxEntity.delete("id <= ?1", rows.get(rows.size() - 1).id).replaceWithVoid();
    }
}
