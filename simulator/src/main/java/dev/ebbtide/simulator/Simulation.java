package dev.ebbtide.simulator;

import dev.ebbtide.core.placement.PlacementPlanner;
import dev.ebbtide.core.scaling.ScalingPolicy;
import dev.ebbtide.core.scaling.ScalingSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Replays a trace in virtual time through {@link PlacementPlanner} and a {@link ScalingPolicy}: the same classes the
 * scheduler and the autoscaler call. The decision side of each cluster is a {@link Controller}: by default
 * {@link PolicyController} (snapshot with the cluster's arrival history, policy call, re-checks on the autoscaler's
 * 1 s tick); the parity test plugs in the live autoscaler instead.
 *
 * <h2>Model</h2>
 * <ul>
 *   <li>One cluster per trace {@code queue}, each with the same {@link ScalingSettings}; clusters share nothing.</li>
 *   <li>Exclusive nodes: a node runs one job at a time; a job needs {@code nodes} nodes at once (gang start) and runs
 *       for {@code duration_s}. Jobs have no known time limit (the planner sees {@code timeLimit = null}).</li>
 *   <li>Event-driven in virtual time. Events are job arrivals, job completions (the nodes become idle), nodes becoming
 *       ready (boot time after the request; they become idle) and re-checks at the decision's {@code nextCheckAt} (on the autoscaler's tick).
 *       All events at the same instant are applied first; then the planner starts what it can (a freed node goes to
 *       the head of the queue; the most recently idled node is reused first); then the policy decides on the
 *       remaining queue (every arrival counts in the cluster's arrival history, placed at once or not); the decision
 *       is applied at once: named idle nodes are removed, and nodes are requested up
 *       to the target (they exist, and cost, from this instant; there is no in-flight delay beyond the boot).</li>
 *   <li>Cost: a node costs from its request to its removal. The replay runs until no event is left, so idle nodes
 *       left at the end are billed until the policy removes them (fixed-idle: idle time T after they became idle).
 *       Nodes a policy never removes (e.g. min &gt; 0) are billed until the last event.</li>
 *   <li>Wait = start - submit (the first start of a job requeued after an eviction).</li>
 *   <li>Optional {@link Capacity} ({@link #withCapacity}): a core quota shared by the clusters (then replayed together
 *       in time order) with partial or atomic gang admission, and Spot nodes with seeded evictions; see
 *       docs/simulator.md.</li>
 * </ul>
 */
public final class Simulation {

    /** The live autoscaler's default tick ({@code ebbtide.autoscaler.tick}). */
    public static final Duration TICK = Duration.ofSeconds(1);

    /**
     * With a shared quota: a replay in which only re-checks are left and nothing has changed for this long has
     * stalled (clusters hold quota for each other's gangs); it ends at its last change.
     */
    static final long STALL_MS = Duration.ofDays(1).toMillis();

    /** A decision that changed something: a target other than the cluster's size, or nodes removed. */
    public record Decided(String cluster, Instant at, int targetCount, List<String> removeNodes) {}

    private final String policyName;
    private final Function<String, Controller> controllers;
    private final ScalingSettings settings;
    private final long bootMs;
    private List<Decided> decisions;
    private Capacity capacity = Capacity.NONE;
    private CapacityResult lastCapacity;

    public Simulation(ScalingPolicy policy, ScalingSettings settings, Duration boot) {
        this(policy.name(), cluster -> new PolicyController(policy, settings, TICK), settings, boot);
    }

    /** With the decision side of each cluster made by {@code controllers}. */
    public Simulation(
            String policyName, Function<String, Controller> controllers, ScalingSettings settings, Duration boot) {
        this.policyName = policyName;
        this.controllers = controllers;
        this.settings = settings;
        this.bootMs = boot.toMillis();
    }

    /** Records every decision that changed something (see {@link #decisions()}). */
    public Simulation recordDecisions() {
        decisions = new ArrayList<>();
        return this;
    }

    /** The decisions recorded by the last {@link #run}, cluster by cluster in time order. */
    public List<Decided> decisions() {
        return decisions == null ? List.of() : List.copyOf(decisions);
    }

    /** Replays with this quota and node tier ({@link Capacity#NONE} by default). */
    public Simulation withCapacity(Capacity model) {
        this.capacity = model;
        return this;
    }

    /** What the capacity model cost in the last {@link #run}. */
    public CapacityResult capacityResult() {
        return lastCapacity;
    }

    /** Replays the whole trace; clusters one after the other (they are independent). */
    public SimulationResult run(Trace trace) {
        long started = System.nanoTime();
        ClusterReplay.Totals totals = new ClusterReplay.Totals(trace.jobs().size());
        if (capacity.quotaNodes() < 0) { // clusters share nothing: one after the other
            for (Map.Entry<String, List<Trace.Job>> e : trace.byQueue().entrySet()) {
                new ClusterReplay.Replay(
                                e.getKey(),
                                e.getValue(),
                                totals,
                                controllers.apply(e.getKey()),
                                bootMs,
                                decisions,
                                capacity,
                                new int[1])
                        .run();
            }
        } else { // they share the quota: replayed together, the earliest instant first (ties in cluster order)
            int[] quotaUsed = new int[1];
            List<ClusterReplay.Replay> replays = new ArrayList<>();
            for (Map.Entry<String, List<Trace.Job>> e : trace.byQueue().entrySet()) {
                replays.add(new ClusterReplay.Replay(
                        e.getKey(),
                        e.getValue(),
                        totals,
                        controllers.apply(e.getKey()),
                        bootMs,
                        decisions,
                        capacity,
                        quotaUsed));
            }
            long end = 0;
            long changes = -1;
            long lastChangeAt = 0;
            while (true) {
                ClusterReplay.Replay next = null;
                boolean onlyChecks = true;
                long changed = 0;
                for (ClusterReplay.Replay r : replays) {
                    changed += r.changesMade;
                    if (r.hasNext()) {
                        onlyChecks &= r.onlyChecksLeft();
                        if (next == null || r.nextAt() < next.nextAt()) {
                            next = r;
                        }
                    }
                }
                if (next == null) {
                    break;
                }
                if (changed != changes) {
                    changes = changed;
                    lastChangeAt = end;
                } else if (onlyChecks && next.nextAt() - lastChangeAt > STALL_MS) {
                    // nothing left to happen but re-checks, and they change nothing: gangs hold the quota for each
                    // other for good (partial admission without a deadline); what they hold is billed until then
                    for (ClusterReplay.Replay r : replays) {
                        r.stall(lastChangeAt);
                    }
                    replays.clear(); // billed by stall
                    break;
                }
                next.step();
                end = Math.max(end, next.now());
            }
            for (ClusterReplay.Replay r : replays) {
                r.finish(end);
            }
        }
        lastCapacity = new CapacityResult(
                totals.heldIdleNodeMs / 3_600_000.0,
                totals.nodeMs / 3_600_000.0 * capacity.price(),
                totals.quotaRefusals,
                totals.evictions,
                totals.requeues,
                totals.lostNodeMs / 3_600_000.0,
                totals.failedJobs,
                totals.gangReleases,
                totals.stalledJobs,
                totals.stalledNodes);
        double replayS = (System.nanoTime() - started) / 1e9;
        return SimulationResult.of(
                trace,
                policyName,
                settings,
                Duration.ofMillis(bootMs),
                totals.waitsMs,
                totals.waitCount,
                totals.nodeMs,
                totals.scaleUps,
                totals.scaleDowns,
                totals.nodesAdded,
                totals.nodesRemoved,
                replayS);
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static long[] sortedCopy(long[] values, int n) {
        long[] copy = Arrays.copyOf(values, n);
        Arrays.sort(copy);
        return copy;
    }
}
