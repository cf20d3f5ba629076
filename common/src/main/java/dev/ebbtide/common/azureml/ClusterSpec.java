package dev.ebbtide.common.azureml;

/**
 * An Azure ML {@code type: amlcompute} cluster. Changeable after creation: min, max, idle time.
 *
 * @param tier {@code dedicated} or {@code low_priority}
 * @param idleTimeBeforeScaleDown seconds an idle node is kept before it is removed
 */
public record ClusterSpec(String name, String size, String tier, int minInstances, int maxInstances,
        long idleTimeBeforeScaleDown, String location) {

    public static final long DEFAULT_IDLE_SECONDS = 120;

    public ClusterSpec {
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]{1,31}")) {
            throw new InvalidSpecException("cluster name '" + name
                    + "' must be 2 to 32 characters of lower-case letters, digits and '-', starting with a letter or digit");
        }
        tier = tier == null ? "dedicated" : tier.replace("lowpriority", "low_priority");
        if (!tier.equals("dedicated") && !tier.equals("low_priority")) {
            throw new InvalidSpecException("cluster '" + name + "': tier must be dedicated or low_priority, not '" + tier + "'");
        }
        if (minInstances < 0) {
            throw new InvalidSpecException("cluster '" + name + "': min_instances must be >= 0, got " + minInstances);
        }
        if (maxInstances < 1 || maxInstances < minInstances) {
            throw new InvalidSpecException("cluster '" + name + "': max_instances must be >= 1 and >= min_instances ("
                    + minInstances + "), got " + maxInstances);
        }
        if (idleTimeBeforeScaleDown < 0) {
            throw new InvalidSpecException("cluster '" + name + "': idle_time_before_scale_down must be >= 0 seconds");
        }
        size = size == null ? "Standard_DS3_v2" : size;
    }

    /** The same cluster with the fields that may change after creation replaced. */
    public ClusterSpec withScaleSettings(int min, int max, long idleSeconds) {
        return new ClusterSpec(name, size, tier, min, max, idleSeconds, location);
    }
}
