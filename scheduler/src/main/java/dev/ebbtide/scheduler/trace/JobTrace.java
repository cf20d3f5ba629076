package dev.ebbtide.scheduler.trace;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A cluster's recorded jobs in the simulator's trace format (docs/simulator.md):
 * {@code job_id,submit_s,duration_s,nodes,gpus,queue,status}. Pure.
 *
 * <p>{@code submit_s} counts seconds from the start of the window; {@code duration_s} is the run time (end − start,
 * rounded up), or the run time so far for a job still running (status {@code Running}: censored, like the traces'
 * ends). Jobs that never started (still queued, or cancelled before they started) are left out: their run time is
 * unknown. {@code gpus} is left empty (Ebbtide counts nodes); {@code queue} is the cluster.
 */
public final class JobTrace {
    public static final String HEADER = "job_id,submit_s,duration_s,nodes,gpus,queue,status";

    /** One recorded job. */
    public record Row(String id, Instant submittedAt, Instant startedAt, Instant endedAt, int nodes, String state) {}

    private JobTrace() {}

    public static String csv(String cluster, List<Row> rows, Instant windowStart, Instant now) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Row r : rows) {
            if (r.startedAt() == null || r.submittedAt() == null || r.nodes() < 1) {
                continue;
            }
            Instant end = r.endedAt() != null ? r.endedAt() : now;
            long submitS =
                    Math.max(0, Duration.between(windowStart, r.submittedAt()).toSeconds());
            long durationMs = Math.max(0, Duration.between(r.startedAt(), end).toMillis());
            long durationS = (durationMs + 999) / 1000;
            sb.append(clean(r.id()))
                    .append(',')
                    .append(submitS)
                    .append(',')
                    .append(durationS)
                    .append(',')
                    .append(r.nodes())
                    .append(",,")
                    .append(clean(cluster))
                    .append(',')
                    .append(r.state())
                    .append('\n');
        }
        return sb.toString();
    }

    /** Ids and cluster names have no commas or line breaks in Ebbtide; never let one break a row anyway. */
    private static String clean(String s) {
        return s.replaceAll("[,\\r\\n]", "_");
    }
}
