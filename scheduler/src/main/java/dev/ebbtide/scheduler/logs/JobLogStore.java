package dev.ebbtide.scheduler.logs;

import dev.ebbtide.common.events.JobLogChunk;
import dev.ebbtide.scheduler.config.SchedulerConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code job_log} table (see {@code JobLogEntity}): stores chunks idempotently under a size cap per job, attempt
 * and rank, and reads them back in order.
 */
@ApplicationScoped
public class JobLogStore {
    private static final String INSERT =
            "insert into job_log (job_id, attempt, rank, seq, node, data, size, stored, at) "
                    + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict do nothing";
    private static final String USAGE = "select coalesce(sum(size) filter (where stored), 0) as used, "
            + "coalesce(bool_or(not stored), false) as truncated from job_log where job_id = $1 and attempt = $2 and rank = $3";

    @Inject
    Pool pool;

    @Inject
    SchedulerConfig config;

    /** One stored chunk (or a chunk counted beyond the cap: {@code data} null). */
    public record Piece(int attempt, int rank, String node, byte[] data) {}

    /** Size used so far by one rank's log, and whether it was cut. */
    private record Usage(long used, boolean truncated) {}

    /**
     * Stores the chunks in one transaction. A chunk already stored (same job, attempt, rank, seq) is skipped; once a
     * rank's log would pass the cap, that chunk and every later one is counted but not kept.
     *
     * @return how many chunks were new
     */
    public Uni<Integer> store(List<JobLogChunk> chunks) {
        if (chunks.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        long cap = config.scheduler().maxLogSizePerRank().asLongValue();
        return pool.withTransaction(conn -> {
            Map<String, Usage> usage = new HashMap<>();
            int[] inserted = {0};
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (JobLogChunk c : chunks) {
                chain = chain.chain(() -> usage(conn, usage, c)).chain(u -> {
                    byte[] bytes = c.data() == null ? new byte[0] : c.data().getBytes(StandardCharsets.UTF_8);
                    boolean keep = !u.truncated() && u.used() + bytes.length <= cap;
                    Tuple row = Tuple.of(c.jobId(), c.attempt(), c.rank(), c.seq())
                            .addString(c.node())
                            .addValue(keep ? io.vertx.core.buffer.Buffer.buffer(bytes) : null)
                            .addInteger(bytes.length)
                            .addBoolean(keep)
                            .addOffsetDateTime(
                                    c.at() == null ? null : OffsetDateTime.ofInstant(c.at(), ZoneOffset.UTC));
                    return conn.preparedQuery(INSERT)
                            .execute(row)
                            .invoke(rs -> {
                                if (rs.rowCount() == 1) {
                                    inserted[0]++;
                                    usage.put(
                                            streamKey(c),
                                            new Usage(u.used() + (keep ? bytes.length : 0), !keep || u.truncated()));
                                }
                            })
                            .replaceWithVoid();
                });
            }
            return chain.map(v -> inserted[0]);
        });
    }

    private static String streamKey(JobLogChunk c) {
        return c.jobId() + "#" + c.attempt() + "#" + c.rank();
    }

    private static Uni<Usage> usage(SqlConnection conn, Map<String, Usage> known, JobLogChunk c) {
        Usage u = known.get(streamKey(c));
        if (u != null) {
            return Uni.createFrom().item(u);
        }
        return conn.preparedQuery(USAGE)
                .execute(Tuple.of(c.jobId(), c.attempt(), c.rank()))
                .map(rs -> {
                    Row r = rs.iterator().next();
                    Usage found = new Usage(r.getLong("used"), r.getBoolean("truncated"));
                    known.put(streamKey(c), found);
                    return found;
                });
    }

    /** The chunks of one attempt (of one rank, or every rank when {@code rank} is null), by rank then seq. */
    public Uni<List<Piece>> read(String jobId, int attempt, Integer rank) {
        String sql = "select attempt, rank, node, data from job_log where job_id = $1 and attempt = $2"
                + (rank == null ? "" : " and rank = $3") + " order by rank, seq";
        Tuple args = rank == null ? Tuple.of(jobId, attempt) : Tuple.of(jobId, attempt, rank);
        return pool.preparedQuery(sql).execute(args).map(rs -> {
            List<Piece> pieces = new ArrayList<>();
            for (Row r : rs) {
                io.vertx.core.buffer.Buffer data =
                        r.getBuffer("data") == null ? null : r.getBuffer("data").getDelegate();
                pieces.add(new Piece(
                        r.getInteger("attempt"),
                        r.getInteger("rank"),
                        r.getString("node"),
                        data == null ? null : data.getBytes()));
            }
            return pieces;
        });
    }

    /** The attempts and ranks that have output, with their sizes: {@code attempt → rank → bytes}. */
    public Uni<Map<Integer, Map<Integer, Long>>> available(String jobId) {
        String sql = "select attempt, rank, sum(size) as bytes from job_log where job_id = $1 group by attempt, rank "
                + "order by attempt, rank";
        return pool.preparedQuery(sql).execute(Tuple.of(jobId)).map(rs -> {
            Map<Integer, Map<Integer, Long>> out = new java.util.TreeMap<>();
            for (Row r : rs) {
                out.computeIfAbsent(r.getInteger("attempt"), a -> new java.util.TreeMap<>())
                        .put(r.getInteger("rank"), r.getLong("bytes"));
            }
            return out;
        });
    }
}
