package dev.ebbtide.scheduler.messaging;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobLogChunk;
import dev.ebbtide.scheduler.logs.JobLogStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Job output ({@code ebbtide.jobs.logs}) on its own channel and consumer group, so a flood of output never delays
 * placement. A batch is stored in one transaction; a record that cannot be parsed, or a batch that still fails after
 * two retries, goes to the dead-letter topic with the reason.
 */
@ApplicationScoped
public class LogConsumer {
    private static final Logger LOG = Logger.getLogger(LogConsumer.class);

    @Inject
    JobLogStore store;
    @Inject
    SchedulerEvents events;
    @Inject
    MeterRegistry registry;

    @Incoming("logs-in")
    public Uni<Void> consume(ConsumerRecords<String, String> records) {
        List<JobLogChunk> chunks = new ArrayList<>(records.count());
        List<ConsumerRecord<String, String>> bad = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records) {
            try {
                JobLogChunk c = EventJson.read(r.value(), JobLogChunk.class);
                if (c.jobId() == null || c.seq() < 0 || c.attempt() < 1 || c.rank() < 0) {
                    throw new IllegalArgumentException("a log chunk needs jobId, attempt >= 1, rank >= 0 and seq >= 0");
                }
                chunks.add(c);
            } catch (IllegalArgumentException e) {
                bad.add(r);
                reasons.add(e.getMessage());
            }
        }
        Uni<Void> stored = store.store(chunks)
                .invoke(n -> registry.counter("ebbtide_scheduler_log_chunks_total").increment(n))
                .replaceWithVoid()
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(2)).atMost(2)
                .onFailure().recoverWithUni(e -> {
                    LOG.errorf("dead-lettering %d log chunk(s): storing them failed after 3 tries: %s", chunks.size(), e);
                    List<ConsumerRecord<String, String>> all = new ArrayList<>();
                    records.forEach(all::add);
                    all.removeAll(bad);
                    return deadLetter(all, all.stream().map(r -> "storing failed after 3 tries: " + e).toList());
                });
        return stored.chain(() -> deadLetter(bad, reasons));
    }

    /**
     * Sent straight to the broker, not through the outbox: a log record may hold bytes a PostgreSQL text column
     * refuses (NUL), and a dead-letter write must never fail on the record's content. The batch's offsets are
     * committed only after the broker has the dead letters.
     */
    private Uni<Void> deadLetter(List<ConsumerRecord<String, String>> records, List<String> reasons) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<String, String> r = records.get(i);
            String reason = reasons.get(i);
            chain = chain.chain(() -> {
                LOG.warnf("dead-lettering a record from %s at offset %d: %s", r.topic(), r.offset(), reason);
                registry.counter("ebbtide_scheduler_dead_letters_total", "topic", r.topic()).increment();
                return events.send("dead-letters", r.topic(), r.key(), r.value(), reason);
            });
        }
        return chain;
    }
}
