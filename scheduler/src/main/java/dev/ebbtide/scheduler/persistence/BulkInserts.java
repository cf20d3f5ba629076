package dev.ebbtide.scheduler.persistence;

import dev.ebbtide.common.events.EventJson;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.reactive.common.AffectedEntities;

/**
 * Insert-only rows (new queued jobs, outbox events) written with one {@code INSERT … SELECT … FROM
 * json_to_recordset(?)} per chunk, in the current transaction, instead of one managed entity each: Hibernate neither
 * tracks nor dirty-checks them, and binds one parameter per statement instead of one per column and row (measured:
 * per-parameter binding and SQL parsing cost more than the insert). The rows are the ones {@code persist()} would
 * write, in the same transaction.
 */
public final class BulkInserts {
    /** Rows per statement. */
    static final int CHUNK = 500;

    /** An outbox event row: the fields {@link OutboxEntity} has for an event that is not a dead letter. */
    public record OutboxRow(String channel, String key, String payload, Instant createdAt) {}

    /** A new job row, as JSON for {@code json_to_recordset}. */
    record JobRow(
            String id,
            String cluster,
            String state,
            String reason,
            int instanceCount,
            String priority,
            long sequence,
            String specJson,
            int attempt,
            Instant submittedAt,
            String submittedBy,
            String team,
            Instant updatedAt) {}

    private static final String JOBS =
            "insert into job (id, cluster, state, reason, instanceCount, priority, sequence, "
                    + "specJson, attempt, submittedAt, submittedBy, team, updatedAt) select r.\"id\", r.\"cluster\", r.\"state\", "
                    + "r.\"reason\", r.\"instanceCount\", r.\"priority\", r.\"sequence\", r.\"specJson\", r.\"attempt\", "
                    + "r.\"submittedAt\", r.\"submittedBy\", r.\"team\", r.\"updatedAt\" from json_to_recordset(cast(cast(?1 as text) as json)) as r("
                    + "\"id\" text, \"cluster\" text, \"state\" text, \"reason\" text, \"instanceCount\" integer, \"priority\" text, "
                    + "\"sequence\" bigint, \"specJson\" text, \"attempt\" integer, \"submittedAt\" timestamptz, "
                    + "\"submittedBy\" text, \"team\" text, \"updatedAt\" timestamptz)";

    /** Rows come out of the function scan in array order, so ids from the sequence ascend in list order. */
    private static final String OUTBOX = "insert into outbox (id, channel, record_key, payload, createdAt) "
            + "select nextval('outbox_seq'), r.\"channel\", r.\"key\", r.\"payload\", r.\"createdAt\" "
            + "from json_to_recordset(cast(cast(?1 as text) as json)) as r(\"channel\" text, \"key\" text, \"payload\" text, "
            + "\"createdAt\" timestamptz)";

    private BulkInserts() {}

    /** Inserts the jobs (new, not managed by the session) in the current transaction. */
    public static Uni<Void> jobs(List<JobEntity> jobs) {
        List<JobRow> rows = new ArrayList<>(jobs.size());
        for (JobEntity j : jobs) {
            rows.add(new JobRow(
                    j.id,
                    j.cluster,
                    j.state.name(),
                    j.reason,
                    j.instanceCount,
                    j.priority,
                    j.sequence,
                    j.specJson,
                    j.attempt,
                    j.submittedAt,
                    j.submittedBy,
                    j.team,
                    j.updatedAt));
        }
        return chunks(rows, JOBS, JobEntity.class);
    }

    /** Inserts outbox event rows in the current transaction, their ids from {@code outbox_seq} in list order. */
    public static Uni<Void> outbox(List<OutboxRow> rows) {
        return chunks(rows, OUTBOX, OutboxEntity.class);
    }

    private static <T> Uni<Void> chunks(List<T> rows, String sql, Class<?> table) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int from = 0; from < rows.size(); from += CHUNK) {
            String json = EventJson.write(rows.subList(from, Math.min(rows.size(), from + CHUNK)));
            // the table it writes: Hibernate flushes first only what touches it, not the whole session
            chain = chain.chain(() -> Panache.getSession()
                            .chain(session -> session.createNativeQuery(sql, new AffectedEntities(table))
                                    .setParameter(1, json)
                                    .executeUpdate()))
                    .replaceWithVoid();
        }
        return chain;
    }
}
