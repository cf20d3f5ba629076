package dev.ebbtide.scheduler.persistence;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.reactive.common.AffectedEntities;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Insert-only rows (new queued jobs, outbox events) written with one multi-row {@code INSERT} per chunk, in the
 * current transaction, instead of one managed entity each: Hibernate neither tracks nor dirty-checks them at every
 * flush. Nothing else changes: the rows are the ones {@code persist()} would write, in the same transaction.
 */
public final class BulkInserts {
    /** Rows per statement (PostgreSQL takes at most 65,535 parameters in one statement). */
    static final int CHUNK = 400;

    /** An outbox event row: the fields {@link OutboxEntity} has for an event that is not a dead letter. */
    public record OutboxRow(String channel, String key, String payload, Instant createdAt) {
    }

    private BulkInserts() {
    }

    /** Inserts the jobs (new, not managed by the session) in the current transaction. */
    public static Uni<Void> jobs(List<JobEntity> jobs) {
        return chunks(jobs, chunk -> {
            StringBuilder sql = new StringBuilder("insert into job (id, cluster, state, reason, instanceCount, priority, "
                    + "sequence, specJson, attempt, submittedAt, submittedBy, updatedAt) values ");
            List<Object> params = new ArrayList<>(chunk.size() * 12);
            for (JobEntity j : chunk) {
                row(sql, params.size(), 12, "text", "text", "text", "text", "integer", "text", "bigint", "text", "integer",
                        "timestamptz", "text", "timestamptz");
                params.add(j.id);
                params.add(j.cluster);
                params.add(j.state.name());
                params.add(j.reason);
                params.add(j.instanceCount);
                params.add(j.priority);
                params.add(j.sequence);
                params.add(j.specJson);
                params.add(j.attempt);
                params.add(j.submittedAt);
                params.add(j.submittedBy);
                params.add(j.updatedAt);
            }
            return execute(sql, params, JobEntity.class);
        });
    }

    /** Inserts outbox event rows in the current transaction, their ids from {@code outbox_seq} in list order. */
    public static Uni<Void> outbox(List<OutboxRow> rows) {
        return chunks(rows, chunk -> {
            StringBuilder sql = new StringBuilder("insert into outbox (id, channel, record_key, payload, createdAt) values ");
            List<Object> params = new ArrayList<>(chunk.size() * 4);
            boolean first = true;
            for (OutboxRow r : chunk) {
                sql.append(first ? "" : ", ").append("(nextval('outbox_seq'), ");
                first = false;
                int p = params.size();
                sql.append("cast(?").append(p + 1).append(" as text), cast(?").append(p + 2).append(" as text), cast(?")
                        .append(p + 3).append(" as text), cast(?").append(p + 4).append(" as timestamptz))");
                params.add(r.channel());
                params.add(r.key());
                params.add(r.payload());
                params.add(r.createdAt());
            }
            return execute(sql, params, OutboxEntity.class);
        });
    }

    private static void row(StringBuilder sql, int before, int n, String... types) {
        sql.append(before == 0 ? "(" : ", (");
        for (int k = 0; k < n; k++) {
            sql.append(k == 0 ? "" : ", ").append("cast(?").append(before + k + 1).append(" as ").append(types[k]).append(')');
        }
        sql.append(')');
    }

    private static Uni<Void> execute(StringBuilder sql, List<Object> params, Class<?> table) {
        return Panache.getSession().chain(session -> {
            // the table it writes: Hibernate flushes first only what touches it, not the whole session
            Mutiny.Query<Object> q = session.createNativeQuery(sql.toString(), new AffectedEntities(table));
            for (int k = 0; k < params.size(); k++) {
                q.setParameter(k + 1, params.get(k));
            }
            return q.executeUpdate();
        }).replaceWithVoid();
    }

    private static <T> Uni<Void> chunks(List<T> rows, java.util.function.Function<List<T>, Uni<Void>> insert) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int from = 0; from < rows.size(); from += CHUNK) {
            List<T> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
            chain = chain.chain(() -> insert.apply(chunk));
        }
        return chain;
    }
}
