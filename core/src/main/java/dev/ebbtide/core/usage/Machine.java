package dev.ebbtide.core.usage;

/**
 * What a node is, as its cluster defines it: the VM size, the tier ({@code dedicated} or {@code low_priority}) and the
 * region (Azure's location name, e.g. {@code eastus}; null when the cluster names none).
 */
public record Machine(String size, String tier, String region) {
    /** A node of a cluster the scheduler has not been told about. */
    public static final Machine UNKNOWN = new Machine("unknown", "dedicated", null);
}
