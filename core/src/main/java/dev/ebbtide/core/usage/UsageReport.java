package dev.ebbtide.core.usage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Usage totals over a window {@code [since, now)}: segments (closed ones, and the running ones cut at {@code now}) are
 * clipped to the window, grouped and priced. Pure.
 */
public final class UsageReport {
    /** The key of idle time (no job) when grouping by team, user or job. */
    public static final String IDLE = "(idle)";
    /** The key of a job's time whose team or user is not known. */
    public static final String UNKNOWN = "(unknown)";

    private UsageReport() {}

    public enum By {
        TEAM,
        USER,
        CLUSTER,
        JOB;

        /** Parses {@code team|user|cluster|job}; null when it is none of them. */
        public static By parse(String s) {
            for (By b : values()) {
                if (b.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return b;
                }
            }
            return null;
        }
    }

    /**
     * One row. {@code idleNodeSeconds} is the part of {@code nodeSeconds} no job held (only non-zero by cluster, or in
     * the {@link #IDLE} row); {@code unpricedNodeSeconds} the part the price table has no price for (not in the cost).
     */
    public record Row(
            String key,
            double nodeSeconds,
            double idleNodeSeconds,
            double coreHours,
            double gpuHours,
            double estimatedCost,
            double unpricedNodeSeconds,
            String currency) {}

    public static List<Row> rows(List<UsageSegment> segments, Instant since, Instant now, By by, Rates rates) {
        Map<String, long[]> millis = new LinkedHashMap<>(); // key → node, idle, unpriced millis
        Map<String, double[]> sums = new LinkedHashMap<>(); // key → core-h, gpu-h, cost
        for (UsageSegment raw : segments) {
            UsageSegment s = raw.clip(since, now);
            if (s == null) {
                continue;
            }
            String key = key(s, by);
            long ms = s.millis();
            Rates.Rate rate = rates.of(s.machine());
            double hours = ms / 3_600_000.0;
            long[] m = millis.computeIfAbsent(key, k -> new long[3]);
            m[0] += ms;
            if (s.holder().idle()) {
                m[1] += ms;
            }
            if (rate.pricePerHour() == null) {
                m[2] += ms;
            }
            double[] d = sums.computeIfAbsent(key, k -> new double[3]);
            d[0] += hours * rate.cores();
            d[1] += hours * rate.gpus();
            d[2] += rate.pricePerHour() == null ? 0 : hours * rate.pricePerHour();
        }
        List<Row> rows = new ArrayList<>();
        millis.forEach((key, m) -> {
            double[] d = sums.get(key);
            rows.add(new Row(
                    key,
                    m[0] / 1000.0,
                    m[1] / 1000.0,
                    round(d[0], 4),
                    round(d[1], 4),
                    round(d[2], 4),
                    m[2] / 1000.0,
                    rates.currency()));
        });
        rows.sort(Comparator.comparingDouble(Row::nodeSeconds).reversed().thenComparing(Row::key));
        return rows;
    }

    /** The group a segment's time belongs to. */
    public static String key(UsageSegment s, By by) {
        Holder h = s.holder();
        return switch (by) {
            case CLUSTER -> s.cluster();
            case JOB -> h.idle() ? IDLE : h.jobId();
            case TEAM -> h.idle() ? IDLE : h.team() == null ? UNKNOWN : h.team();
            case USER -> h.idle() ? IDLE : h.user() == null ? UNKNOWN : h.user();
        };
    }

    private static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }
}
