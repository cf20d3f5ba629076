package dev.ebbtide.core.quota;

/**
 * A scale-up to check against quota.
 *
 * @param series           the VM series as Azure ML's table names it (for the approval sentence), e.g. {@code NCsv3}
 * @param family           the VM size's quota family, e.g. {@code standardNCSv3Family}
 * @param coresPerNode     vCPUs of one node
 * @param nodes            nodes the cluster wants to add now
 * @param lowPriority      low-priority (Spot) nodes count against the one low-priority total, not the family
 * @param approvalRequired the series may be used only once a quota for it was approved (its limit above 0)
 */
public record QuotaRequest(
        String series, String family, int coresPerNode, int nodes, boolean lowPriority, boolean approvalRequired) {
    public QuotaRequest {
        if (coresPerNode < 1 || nodes < 0) {
            throw new IllegalArgumentException("coresPerNode must be >= 1 and nodes >= 0");
        }
    }
}
