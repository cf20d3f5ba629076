package dev.ebbtide.provisioner.quota;

import dev.ebbtide.core.quota.CoreLimit;
import dev.ebbtide.core.quota.QuotaPlanner;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local provider's quotas: configured ({@code ebbtide.quota.family-cores.<family>},
 * {@code ebbtide.quota.low-priority-cores}, {@code ebbtide.quota.total-cores}), changeable at run time by an operator.
 * The same limits apply in every region. A family not listed has no limit, unless its series needs approval: then it
 * has none approved (0).
 */
public final class LocalQuota implements QuotaSource {
    private final Map<String, Integer> limits = new ConcurrentHashMap<>();

    public LocalQuota(Map<String, Integer> familyCores, Integer lowPriorityCores, Integer totalCores) {
        limits.putAll(familyCores);
        if (lowPriorityCores != null) {
            limits.put(QuotaPlanner.LOW_PRIORITY, lowPriorityCores);
        }
        if (totalCores != null) {
            limits.put(QuotaPlanner.TOTAL, totalCores);
        }
    }

    @Override
    public String name() {
        return "configuration";
    }

    @Override
    public Map<String, CoreLimit> limits(String region) {
        Map<String, CoreLimit> out = new TreeMap<>();
        limits.forEach((name, limit) -> out.put(name, new CoreLimit(name, 0, limit)));
        return out;
    }

    @Override
    public boolean countsOwnNodes() {
        return true;
    }

    @Override
    public boolean setLimit(String name, int limit) {
        limits.put(name, limit);
        return true;
    }
}
