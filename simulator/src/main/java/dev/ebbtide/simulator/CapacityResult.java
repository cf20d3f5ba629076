package dev.ebbtide.simulator;

/**
 * What the {@link Capacity} model cost in one replay.
 *
 * @param heldIdleNodeHours nodes up and idle while jobs waited (a gang's nodes held until the rest comes, nodes kept
 *                          for a head that does not fit yet), in node-hours
 * @param costNodeHours     the bill in dedicated node-hours: billed node-hours × the tier's price ratio
 * @param quotaRefusals     scale-up requests cut by the quota (granted less than asked)
 * @param evictions         Spot nodes evicted (booting, idle or busy)
 * @param requeues          jobs requeued after an eviction
 * @param lostNodeHours     work lost to evictions: per evicted run, the time since its start (or its last checkpoint)
 *                          × its nodes
 * @param failedJobs        jobs evicted on their last attempt (never completed)
 * @param gangReleases      atomic gangs: times a cluster gave back the idle nodes held for a head the quota blocked
 *                          past {@code max_gang_provision_time}
 * @param stalledJobs       jobs still queued when the replay stalled (gangs holding the quota for each other; with
 *                          partial admission this never ends), 0 if it did not
 * @param stalledNodes      nodes held when it stalled
 */
public record CapacityResult(
        double heldIdleNodeHours,
        double costNodeHours,
        long quotaRefusals,
        long evictions,
        long requeues,
        double lostNodeHours,
        long failedJobs,
        long gangReleases,
        long stalledJobs,
        long stalledNodes) {}
