package dev.ebbtide.core.scaling;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * What a cluster's past arrivals tell the policies, as an immutable value: the autoscaler keeps one per cluster (and
 * the simulator one per replayed cluster), updates it with {@link #observe} for every job that enters the cluster
 * (placed at once or queued) and passes it in the {@link ClusterSnapshot}. Policies hold no state of their own, so a
 * dry run, a policy switched at runtime and a replay all see the same history.
 *
 * <ul>
 *   <li>{@code rate}: requested nodes per second, exponentially weighted with time constant {@link #SHORT} (every
 *       arrival adds {@code nodes / SHORT}, the rate decays as {@code exp(-dt / SHORT)}), as of {@code last}.</li>
 *   <li>{@code longRate}: the same with time constant {@link #LONG}: the steady level of a busy cluster.</li>
 *   <li>{@code gaps}: how long the cluster waited between one arrival and the next, as weights per bucket of
 *       {@link #GAP_EDGES_S} (bucket k holds gaps in {@code [edge k-1, edge k)}, the last one everything longer),
 *       fading with time constant {@link #GAP_MEMORY}. Arrivals at the same instant are one gap of 0.</li>
 * </ul>
 *
 * @param last     the latest arrival, or {@code null} before the first
 * @param rate     short-memory rate in nodes per second, as of {@code last}
 * @param longRate long-memory rate in nodes per second, as of {@code last}
 * @param gaps     gap weights per bucket ({@code GAP_EDGES_S.length + 1} entries)
 */
public record ArrivalHistory(Instant last, double rate, double longRate, double[] gaps) {

    /** Time constant of {@link #rate}. */
    public static final Duration SHORT = Duration.ofSeconds(300);
    /** Time constant of {@link #longRate}. */
    public static final Duration LONG = Duration.ofHours(1);
    /** How fast old gaps fade from {@link #gaps}. */
    public static final Duration GAP_MEMORY = Duration.ofDays(2);
    /** Upper edges of the gap buckets, in seconds. */
    static final double[] GAP_EDGES_S = {
        1, 10, 30, 60, 120, 180, 300, 450, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 14_400
    };

    /** No arrival seen yet. */
    public static final ArrivalHistory NONE = new ArrivalHistory(null, 0, 0, new double[GAP_EDGES_S.length + 1]);

    private static final double SHORT_S = SHORT.getSeconds();
    private static final double LONG_S = LONG.getSeconds();
    private static final double MEMORY_S = GAP_MEMORY.getSeconds();

    public ArrivalHistory {
        gaps = gaps == null ? new double[GAP_EDGES_S.length + 1] : gaps.clone();
        if (gaps.length != GAP_EDGES_S.length + 1) {
            throw new IllegalArgumentException("gaps must have " + (GAP_EDGES_S.length + 1) + " buckets");
        }
    }

    /** The gap weights (a copy). */
    @Override
    public double[] gaps() {
        return gaps.clone();
    }

    /**
     * The history after a job needing {@code nodes} nodes entered the cluster at {@code at}. A late report (an
     * arrival before {@code last}) adds its decayed share to the rates and no gap.
     */
    public static ArrivalHistory observe(ArrivalHistory h, int nodes, Instant at) {
        if (h == null) {
            h = NONE;
        }
        double n = Math.max(0, nodes);
        if (h.last == null) {
            return new ArrivalHistory(at, n / SHORT_S, n / LONG_S, h.gaps);
        }
        double dt = seconds(at) - seconds(h.last);
        if (dt < 0) {
            return new ArrivalHistory(
                    h.last,
                    h.rate + n / SHORT_S * Math.exp(dt / SHORT_S),
                    h.longRate + n / LONG_S * Math.exp(dt / LONG_S),
                    h.gaps);
        }
        double[] g = h.gaps.clone();
        double fade = Math.exp(-dt / MEMORY_S);
        for (int k = 0; k < g.length; k++) {
            g[k] *= fade;
        }
        g[bucket(dt)] += 1;
        return new ArrivalHistory(
                at,
                h.rate * Math.exp(-dt / SHORT_S) + n / SHORT_S,
                h.longRate * Math.exp(-dt / LONG_S) + n / LONG_S,
                g);
    }

    /** {@link #rate} decayed to {@code now}: requested nodes per second expected now. */
    public double rateAt(Instant now) {
        return last == null ? 0 : rate * Math.exp(-Math.max(0, seconds(now) - seconds(last)) / SHORT_S);
    }

    /** {@link #longRate} decayed to {@code now}. */
    public double longRateAt(Instant now) {
        return last == null ? 0 : longRate * Math.exp(-Math.max(0, seconds(now) - seconds(last)) / LONG_S);
    }

    /** Total weight of the gaps seen (about the number of recent gaps). */
    public double gapCount() {
        double sum = 0;
        for (double w : gaps) {
            sum += w;
        }
        return sum;
    }

    /**
     * The idle time {@code x} (one of the bucket edges, capped at {@code ceiling}) that minimises the expected cost
     * of keeping a node idle for the next job, {@code E[min(G, x)] + missCost * P(G > x)}, with G the gap to the
     * next arrival as seen so far (uniform within a bucket): the "ski rental" trade between paying for idle time and
     * paying {@code missCost} when the node is gone before the next job comes. Returns zero without any gap.
     */
    public Duration bestIdleTime(Duration missCost, Duration ceiling) {
        double total = gapCount();
        if (total <= 0) {
            return Duration.ZERO;
        }
        double c = seconds(missCost);
        double cap = seconds(ceiling);
        double best = c; // x = 0: every next job misses
        double bestX = 0;
        double below = 0; // weight of gaps < x
        double sumBelow = 0; // sum of those gaps (bucket midpoints)
        double lower = 0;
        for (int k = 0; k < GAP_EDGES_S.length && GAP_EDGES_S[k] <= cap; k++) {
            double upper = GAP_EDGES_S[k];
            below += gaps[k];
            sumBelow += gaps[k] * (lower + upper) / 2;
            double above = total - below;
            double cost = (sumBelow + above * upper + c * above) / total;
            if (cost < best - 1e-12) {
                best = cost;
                bestX = upper;
            }
            lower = upper;
        }
        return Duration.ofMillis(Math.round(bestX * 1000));
    }

    private static int bucket(double gapS) {
        for (int k = 0; k < GAP_EDGES_S.length; k++) {
            if (gapS < GAP_EDGES_S[k]) {
                return k;
            }
        }
        return GAP_EDGES_S.length;
    }

    static double seconds(Instant i) {
        return i.getEpochSecond() + i.getNano() / 1e9;
    }

    static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArrivalHistory h
                && java.util.Objects.equals(last, h.last)
                && rate == h.rate
                && longRate == h.longRate
                && Arrays.equals(gaps, h.gaps);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(last, rate, longRate, Arrays.hashCode(gaps));
    }

    @Override
    public String toString() {
        return "ArrivalHistory[last=" + last + ", rate=" + rate + ", longRate=" + longRate + ", gaps="
                + Arrays.toString(gaps) + "]";
    }
}
