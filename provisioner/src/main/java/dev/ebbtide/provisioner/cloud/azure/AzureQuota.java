package dev.ebbtide.provisioner.cloud.azure;

import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.models.ComputeUsage;
import dev.ebbtide.core.quota.CoreLimit;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.quota.QuotaSource;
import java.util.Map;
import java.util.TreeMap;

/**
 * Quotas as Azure reports them: {@code GET /subscriptions/{s}/providers/Microsoft.Compute/locations/{region}/usages}
 * (Usage - List), one entry per quota with {@code name.value} (e.g. {@code standardNCSv3Family}, {@code lowPriorityCores},
 * {@code cores}), {@code currentValue} and {@code limit}, in cores ({@code unit: Count}).
 */
public final class AzureQuota implements QuotaSource {
    private final ComputeManager compute;

    public AzureQuota(ComputeManager compute) {
        this.compute = compute;
    }

    @Override
    public String name() {
        return "azure usages";
    }

    @Override
    public Map<String, CoreLimit> limits(String region) throws CloudException {
        Map<String, CoreLimit> out = new TreeMap<>();
        try {
            for (ComputeUsage u : compute.usages().listByRegion(region)) {
                if (u.name() != null
                        && u.name().value() != null
                        && !u.name().value().isBlank()) {
                    out.put(u.name().value(), new CoreLimit(u.name().value(), u.currentValue(), (int)
                            Math.min(u.limit(), Integer.MAX_VALUE)));
                }
            }
        } catch (RuntimeException e) {
            throw AzureTranslation.toCloudException("list the quotas of " + region, e);
        }
        return out;
    }

    @Override
    public boolean countsOwnNodes() {
        return false;
    }
}
