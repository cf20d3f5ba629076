package dev.ebbtide.scheduler.messaging;

import dev.ebbtide.common.events.JobLogChunk;
import dev.ebbtide.messaging.ConsumerHealth;
import dev.ebbtide.messaging.DeadLetters;
import dev.ebbtide.messaging.Decoded;
import dev.ebbtide.messaging.Limits;
import dev.ebbtide.messaging.RecordDecoder;
import dev.ebbtide.scheduler.logs.JobLogStore;
import dev.ebbtide.scheduler.service.Retries;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Job output ({@code ebbtide.jobs.logs}) on its own channel and consumer group, so a flood of output never delays
 * placement. Records come as bytes and are decoded first ({@link RecordDecoder}); one that cannot be understood goes
 * to the dead-letter topic with its original bytes and the reason. The valid chunks of a batch are stored in one
 * transaction: while PostgreSQL is unavailable the channel waits and tries again ({@link Retries}); a batch that fails
 * three times for another reason is dead-lettered record by record.
 */
@ApplicationScoped
@Startup
public class LogConsumer {
    public static final String CHANNEL = "logs-in";
    private static final Logger LOG = Logger.getLogger(LogConsumer.class);

    @Inject
    JobLogStore store;

    @Inject
    DeadLetters deadLetters;

    @Inject
    MeterRegistry registry;

    @Inject
    Retries retries;

    @Inject
    ConsumerHealth health;

    @PostConstruct
    void init() {
        health.consuming(CHANNEL);
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(ConsumerRecords<byte[], byte[]> records) {
        List<JobLogChunk> chunks = new ArrayList<>(records.count());
        List<ConsumerRecord<byte[], byte[]>> good = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> bad = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Decoded<JobLogChunk> d = RecordDecoder.decode(
                    r.topic(), r.key(), r.value(), r.headers(), JobLogChunk.class, Limits.JOB_OUTPUT);
            if (d instanceof Decoded.Event<JobLogChunk> e) {
                chunks.add(e.value());
                good.add(r);
            } else if (d instanceof Decoded.Poison<JobLogChunk> p) {
                bad.add(r);
                reasons.add(p.reason());
            }
        }
        Context context = Vertx.currentContext();
        Uni<Void> stored = chunks.isEmpty()
                ? Uni.createFrom().voidItem()
                : retries.run(
                        CHANNEL,
                        chunks.size() + " log chunk(s)",
                        3,
                        () -> store.store(chunks)
                                .invoke(n -> registry.counter("ebbtide_scheduler_log_chunks_total")
                                        .increment(n))
                                .replaceWithVoid(),
                        e -> {
                            LOG.errorf(
                                    "dead-lettering %d log chunk(s): storing them failed after 3 tries: %s",
                                    chunks.size(), e);
                            String reason = "could not be stored (3 attempts): " + e;
                            return deadLetter(
                                    context,
                                    good,
                                    good.stream().map(r -> reason).toList());
                        });
        return stored.chain(() -> deadLetter(context, bad, reasons)).invoke(() -> health.consuming(CHANNEL));
    }

    /**
     * Sent straight to the broker with the original bytes, not through the outbox: a dead-letter write never depends on
     * PostgreSQL or on the record's content. The batch's offsets are committed only after the broker has them.
     */
    private Uni<Void> deadLetter(Context context, List<ConsumerRecord<byte[], byte[]>> records, List<String> reasons) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = records.get(i);
            String reason = reasons.get(i);
            chain = chain.chain(() -> {
                LOG.warnf("dead-lettering %s partition %d offset %d: %s", r.topic(), r.partition(), r.offset(), reason);
                registry.counter("ebbtide_scheduler_dead_letters_total", "topic", r.topic())
                        .increment();
                return retries.run(
                        CHANNEL,
                        "the dead letter of " + r.topic() + " offset " + r.offset(),
                        1,
                        () -> {
                            Uni<Void> sent =
                                    Uni.createFrom().completionStage(() -> deadLetters.send(r, reason, CHANNEL));
                            return context == null
                                    ? sent
                                    : sent.emitOn(task -> context.runOnContext(ignored -> task.run()));
                        },
                        Uni.createFrom()::failure);
            });
        }
        return chain;
    }
}
