package dev.ebbtide.provisioner.quota;

import dev.ebbtide.core.quota.CoreLimit;
import dev.ebbtide.provisioner.cloud.CloudException;
import java.util.Map;

/** Where a region's core quotas come from: the configuration (local) or Azure's Usage - List API (azure-vmss). */
public interface QuotaSource {

    /** Shown by {@code GET /quota}, e.g. {@code configuration} or {@code azure usages}. */
    String name();

    /**
     * The region's quotas by name (VM families, {@code lowPriorityCores}, {@code cores}). When {@link #countsOwnNodes()}
     * the {@code used} values are 0 and Ebbtide counts its own nodes instead.
     */
    Map<String, CoreLimit> limits(String region) throws CloudException;

    /** True when usage is what Ebbtide's own nodes use (local); false when the source reports it (Azure). */
    boolean countsOwnNodes();

    /** Changes a limit at run time (operator's {@code PUT /quota/{name}}); false when the source cannot. */
    default boolean setLimit(String name, int limit) {
        return false;
    }
}
