package dev.ebbtide.simulator;

/**
 * What the cloud gives a replayed cluster beyond the boot time: a core quota cap and how a gang's scale-up is admitted
 * under it, and the tier of its nodes (dedicated, or Spot with evictions). {@link #NONE} is the plain model (no quota,
 * dedicated nodes), which every replay without these options uses, so their figures do not change.
 *
 * @param quotaNodes          the cluster's core quota expressed in nodes (the VM family's cores / cores per node), or
 *                            -1 for none; the provisioner grants a scale-up only up to it
 * @param atomicGangs         under the quota: {@code true} grants only whole gangs, in queue order (all-or-nothing, the
 *                            issue-18 rule); {@code false} grants whatever fits, so a gang may get part of its nodes and
 *                            hold them idle until the rest fits (partial admission, as {@code QuotaPlanner} did)
 * @param spot                Spot-first: every node is a Spot VM (there are no capacity failures in the replay, so the
 *                            first tier is always granted)
 * @param evictionsPerNodeHour Spot evictions per node-hour: each Spot node is evicted after an exponentially
 *                            distributed lifetime with this rate, drawn from {@link #seed}, unless removed earlier
 * @param spotPriceRatio      a Spot node-hour's price as a fraction of a dedicated one
 * @param checkpointS         for jobs whose trace row gives no {@code checkpoint_s}: seconds between checkpoints
 *                            (0 = none: an evicted job loses all its work since its start)
 * @param maxAttempts         the scheduler's {@code ebbtide.scheduler.max-attempts}: a job evicted on its last attempt
 *                            fails instead of being requeued
 * @param seed                the seed of the eviction times (same seed, same evictions)
 * @param gangDeadlineS       atomic gangs: {@code max_gang_provision_time}; once the head has waited this long for
 *                            nodes the quota refused, the idle nodes held for it are given back and the cluster backs
 *                            off (so clusters cannot hold quota for each other's gangs forever); partial admission has
 *                            no such deadline
 */
public record Capacity(
        int quotaNodes,
        boolean atomicGangs,
        boolean spot,
        double evictionsPerNodeHour,
        double spotPriceRatio,
        long checkpointS,
        int maxAttempts,
        long seed,
        long gangDeadlineS) {

    /** No quota, dedicated nodes. */
    public static final Capacity NONE = new Capacity(-1, true, false, 0, 1, 0, 5, 1, 600);

    public Capacity {
        if (evictionsPerNodeHour < 0 || spotPriceRatio < 0 || checkpointS < 0 || maxAttempts < 1 || gangDeadlineS < 0) {
            throw new IllegalArgumentException("invalid capacity model " + this);
        }
    }

    public Capacity withQuota(int nodes, boolean atomic) {
        return new Capacity(
                nodes,
                atomic,
                spot,
                evictionsPerNodeHour,
                spotPriceRatio,
                checkpointS,
                maxAttempts,
                seed,
                gangDeadlineS);
    }

    public Capacity withSpot(double rate, double priceRatio, long checkpointEveryS) {
        return new Capacity(
                quotaNodes, atomicGangs, true, rate, priceRatio, checkpointEveryS, maxAttempts, seed, gangDeadlineS);
    }

    public Capacity dedicated() {
        return new Capacity(quotaNodes, atomicGangs, false, 0, 1, checkpointS, maxAttempts, seed, gangDeadlineS);
    }

    /** The price of a node-hour of this tier, in dedicated node-hours. */
    double price() {
        return spot ? spotPriceRatio : 1;
    }
}
