package dev.ebbtide.core.scaling;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Predictive warm pool: keeps (and starts ahead of demand) about as many spare nodes as the cluster is expected to be
 * asked for within one node boot time, and removes every other idle node at once. See {@code docs/policy.md}.
 *
 * <h2>Idea</h2>
 * ML jobs arrive in bursts (hyper-parameter sweeps, retries): in the Philly trace 60% of jobs arrive within 10 s of
 * the previous job of the same cluster. So the recent arrival rate predicts the next minutes well, and a node that is
 * ready when the next job of a burst arrives saves that job the whole boot time.
 * <ol>
 *   <li><b>Rate.</b> Per cluster, an exponentially weighted rate of requested nodes: every queued job adds
 *       {@code nodes / tau} and the rate decays as {@code exp(-dt / tau)} (tau = {@link ArrivalHistory#SHORT}). It is
 *       the snapshot's {@link ArrivalHistory}: the past only, never future jobs.</li>
 *   <li><b>Warm pool.</b> {@code K = beta * rate * horizon} is the number of nodes expected to be asked for within
 *       {@code horizon} (set it to the node boot time). The pool size is {@code round(K)} (half up).</li>
 *   <li><b>Start ahead.</b> If the spare nodes (idle + preparing + in flight - queued demand) are fewer than the pool,
 *       the difference is started now ({@link ReasonCode#PREDICTED_DEMAND}), as long as the last arrival is more recent
 *       than the idle ceiling.</li>
 *   <li><b>Keep or remove.</b> The idle node of recency rank {@code r} (0 = most recently idled) is kept while
 *       {@code K >= r + 1/2} ({@link ReasonCode#KEPT_WARM}); since {@code K} decays exponentially after the last
 *       arrival, the instant it drops below is known in closed form and returned as {@code nextCheckAt}. Nodes
 *       outside the pool are removed at once. No node is kept idle longer than the cluster's
 *       {@link ScalingSettings#idleTimeBeforeScaleDown()}: the operator's idle time is a ceiling. With an idle time of
 *       0 nothing is started ahead (it would be removed as soon as it is ready).</li>
 * </ol>
 * Everything else (min, max, back-off, in-flight capacity, idle nodes held for a queued gang) is
 * {@link ScalingRules}, as for {@link FixedIdlePolicy}.
 *
 * <p>{@value #LEARNED} also keeps idle nodes for an idle time learned per cluster ({@link LearnedIdle}).
 *
 * <p>Stateless: everything learned is in the snapshot's {@link ArrivalHistory}. One instance serves any number of
 * clusters and threads.
 */
public final class AdaptivePolicy implements ScalingPolicy {

    /** The default adaptive policy. */
    public static final String NAME = "adaptive";
    /** A smaller warm pool: less cost, more wait. */
    public static final String LEAN = "adaptive-lean";
    /** A larger warm pool: less wait, more cost. */
    public static final String EAGER = "adaptive-eager";
    /** Keep-only ablation: the warm pool decides which idle nodes to keep but nothing is started ahead. */
    public static final String KEEP_ONLY = "adaptive-keep";

    /** Robust variant: the warm pool of {@value #NAME} plus an idle time learned per cluster from its arrival gaps. */
    public static final String LEARNED = "adaptive-learned";

    /**
     * The policy's knobs. The rates' time constants are {@link ArrivalHistory}'s, shared by every policy.
     *
     * @param horizon    look-ahead: the node boot time
     * @param beta       nodes kept per node expected within the horizon
     * @param startAhead whether the warm pool is started ahead of demand or only kept
     * @param missWeight for the learned idle time: how many seconds of node time one second of a job's wait is worth;
     *                   negative = no learned idle time (idle nodes outside the warm pool go at once)
     */
    public record Params(Duration horizon, double beta, boolean startAhead, double missWeight) {
        public Params {
            if (horizon.isNegative()) {
                throw new IllegalArgumentException("horizon must be >= 0");
            }
            if (!(beta >= 0)) {
                throw new IllegalArgumentException("beta must be >= 0");
            }
        }

        /** Without a learned idle time. */
        public Params(Duration horizon, double beta, boolean startAhead) {
            this(horizon, beta, startAhead, -1);
        }

        /** The same with another horizon. */
        public Params withHorizon(Duration h) {
            return new Params(h, beta, startAhead, missWeight);
        }
    }

    private static final Duration HORIZON = Duration.ofSeconds(120);
    /** {@value #NAME}: horizon 120 s, beta 1.5, start ahead. */
    public static final Params DEFAULTS = new Params(HORIZON, 1.5, true);
    /** {@value #LEAN}: as the default with beta 1. */
    public static final Params LEAN_PARAMS = new Params(HORIZON, 1.0, true);
    /** {@value #EAGER}: as the default with beta 2.5. */
    public static final Params EAGER_PARAMS = new Params(HORIZON, 2.5, true);
    /** {@value #KEEP_ONLY}: as the default, but nothing is started ahead. */
    public static final Params KEEP_ONLY_PARAMS = new Params(HORIZON, 1.5, false);
    /**
     * {@value #LEARNED}: beta 1 (as {@value #LEAN}) plus a learned idle time with one second of wait worth four of node
     * time (chosen on the first half of each dev trace only; see docs/policy.md).
     */
    public static final Params LEARNED_PARAMS = new Params(HORIZON, 1.0, true, 4);

    private static final double ROUND = 0.5;
    private static final double TAU_S = ArrivalHistory.seconds(ArrivalHistory.SHORT);

    private final String name;
    private final Params p;

    public AdaptivePolicy() {
        this(NAME, DEFAULTS);
    }

    public AdaptivePolicy(String name, Params params) {
        this.name = name;
        this.p = params;
    }

    @Override
    public String name() {
        return name;
    }

    public Params params() {
        return p;
    }

    /** Nodes expected to be asked for within the horizon, as estimated at {@code now} from the history. */
    public double expectedDemand(ArrivalHistory h, Instant now) {
        return p.beta() * h.rateAt(now) * ArrivalHistory.seconds(p.horizon());
    }

    @Override
    public ScalingDecision decide(ClusterSnapshot s, Instant now) {
        ArrivalHistory h = s.arrivals();
        double k0 = h.last() == null ? 0 : p.beta() * h.rate() * ArrivalHistory.seconds(p.horizon());
        double t0 = h.last() == null ? 0 : ArrivalHistory.seconds(h.last());
        double kNow = k0 * Math.exp(-Math.max(0, ArrivalHistory.seconds(now) - t0) / TAU_S);
        Duration cap = s.settings().idleTimeBeforeScaleDown();
        LearnedIdle learned = LearnedIdle.of(p, h, cap, now);
        int pool = (int) Math.floor(kNow + 1 - ROUND);
        int idle = 0;
        int preparing = 0;
        for (ScalingNode n : s.nodes()) {
            if (n.phase() == NodePhase.IDLE) {
                idle++;
            } else if (n.phase() == NodePhase.PREPARING) {
                preparing++;
            }
        }
        int demand = s.totalQueuedDemand();
        int ahead = 0;
        // nothing is started ahead once the last arrival is older than the idle ceiling: such a node would only wait
        // out its idle time (and the decision after removing a warm node at the ceiling would start another)
        boolean fresh = h.last() != null && Duration.between(h.last(), now).compareTo(cap) < 0;
        if (p.startAhead() && fresh && pool > 0) {
            int spare = idle + preparing + s.inFlight() - demand;
            ahead = Math.max(0, pool - Math.max(0, spare));
        }
        Supplier<String> expect = () -> Math.round(kNow * 10) / 10.0 + " node(s) expected within "
                + ScalingRules.seconds(p.horizon()) + learned.explain();
        int started = ahead;
        ScalingDecision d = ScalingRules.decide(
                s,
                now,
                (node, rank) -> {
                    double need = rank + ROUND;
                    double keepUntil = k0 <= need ? t0 : t0 + TAU_S * Math.log(k0 / need);
                    Instant warmEnd = instant(keepUntil);
                    Instant learnedEnd = learned.keepUntil(node, rank);
                    if (learnedEnd.isAfter(warmEnd)) {
                        warmEnd = learnedEnd;
                    }
                    Instant capEnd = node.idleSince().plus(cap);
                    if (!warmEnd.isAfter(node.idleSince())) {
                        return node.idleSince();
                    }
                    return warmEnd.isBefore(capEnd) ? warmEnd : capEnd;
                },
                ReasonCode.IDLE_TIMEOUT,
                () -> "and outside the warm pool (" + expect.get() + ", ceiling " + ScalingRules.seconds(cap) + ")",
                ahead,
                () -> "started " + started + " node(s) ahead of demand: " + expect.get());

        int kept = idle - d.removeNodes().size() - Math.min(idle, demand);
        if (kept > 0 && (pool > 0 || learned.ranks() > 0)) {
            List<ScalingReason> reasons = new ArrayList<>(d.reasons());
            reasons.removeIf(x -> x.code() == ReasonCode.NO_CHANGE);
            reasons.add(new ScalingReason(
                    ReasonCode.KEPT_WARM,
                    Math.min(kept, Math.max(pool, learned.ranks())) + " idle node(s) kept warm: " + expect.get()));
            d = new ScalingDecision(d.cluster(), d.targetCount(), d.removeNodes(), reasons, d.nextCheckAt());
        }
        return d;
    }

    /** The instant at {@code s} epoch seconds, rounded up to the millisecond (never before the exact time). */
    static Instant instant(double s) {
        double ms = Math.ceil(s * 1000);
        return Instant.ofEpochMilli((long) ms);
    }
}
