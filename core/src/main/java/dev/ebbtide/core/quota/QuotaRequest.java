package dev.ebbtide.core.quota;

import java.util.List;

/**
 * A scale-up to check against quota.
 *
 * @param series           the VM series as Azure ML's table names it (for the approval sentence), e.g. {@code NCsv3}
 * @param family           the VM size's quota family, e.g. {@code standardNCSv3Family}
 * @param coresPerNode     vCPUs of one node
 * @param nodes            nodes the cluster wants to add now
 * @param lowPriority      low-priority (Spot) nodes count against the one low-priority total, not the family
 * @param approvalRequired the series may be used only once a quota for it was approved (its limit above 0)
 * @param units            the sizes of the gang units among {@code nodes}, in queue order: each is admitted whole or
 *                         not at all; the nodes beyond their sum (a raise to the minimum, nodes ahead of demand) are
 *                         admitted one by one after them. Empty: every node on its own.
 */
public record QuotaRequest(
        String series,
        String family,
        int coresPerNode,
        int nodes,
        boolean lowPriority,
        boolean approvalRequired,
        List<Integer> units) {
    public QuotaRequest {
        if (coresPerNode < 1 || nodes < 0) {
            throw new IllegalArgumentException("coresPerNode must be >= 1 and nodes >= 0");
        }
        units = units == null ? List.of() : List.copyOf(units);
        int sum = 0;
        for (int u : units) {
            if (u < 1) {
                throw new IllegalArgumentException("a unit needs at least one node, got " + u);
            }
            sum += u;
        }
        if (sum > nodes) {
            throw new IllegalArgumentException(
                    "units of " + sum + " node(s) in all exceed the " + nodes + " asked for");
        }
    }

    /** Every node on its own (no gang unit). */
    public QuotaRequest(
            String series, String family, int coresPerNode, int nodes, boolean lowPriority, boolean approvalRequired) {
        this(series, family, coresPerNode, nodes, lowPriority, approvalRequired, List.of());
    }
}
