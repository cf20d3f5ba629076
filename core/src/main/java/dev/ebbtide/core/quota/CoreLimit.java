package dev.ebbtide.core.quota;

/**
 * One quota as Azure accounts it: cores used and allowed in a region, for a VM family (e.g.
 * {@code standardNCSv3Family}), for low-priority VMs ({@link QuotaPlanner#LOW_PRIORITY}) or for the region in total
 * ({@link QuotaPlanner#TOTAL}).
 */
public record CoreLimit(String name, int used, int limit) {
    public CoreLimit {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a quota needs a name");
        }
    }

    /** Cores still free (0 when over the limit). */
    public int free() {
        return Math.max(0, limit - used);
    }
}
