package dev.ebbtide.common.azureml;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A compute target: an Azure ML {@code type: amlcompute} cluster (Ebbtide scales it), a {@code type: virtualmachine}
 * attached pool (machines join by running the node agent; never created, scaled or deleted by Ebbtide) or a
 * {@code type: computeinstance} (one node, started and stopped). Changeable after creation: min, max, idle time.
 *
 * @param tier {@code dedicated} or {@code low_priority}
 * @param idleTimeBeforeScaleDown seconds an idle node is kept before it is removed
 * @param type     {@link #AMLCOMPUTE} (also when absent), {@link #VIRTUAL_MACHINE} or {@link #COMPUTE_INSTANCE}
 * @param attached for {@code virtualmachine}: the attached machine's settings as given (secrets never shown), or null
 * @param instance for {@code computeinstance}: its idle shutdown and schedules, or null
 */
public record ClusterSpec(
        String name,
        String size,
        String tier,
        int minInstances,
        int maxInstances,
        long idleTimeBeforeScaleDown,
        String location,
        String type,
        AttachedCompute attached,
        ComputeInstance instance) {

    public static final long DEFAULT_IDLE_SECONDS = 120;
    public static final String AMLCOMPUTE = "amlcompute";
    public static final String VIRTUAL_MACHINE = "virtualmachine";
    public static final String COMPUTE_INSTANCE = "computeinstance";
    /** An attached pool has no size limit of its own: a job waits until enough machines have joined. */
    public static final int ATTACHED_MAX_NODES = 1000;

    /** A managed cluster ({@code type: amlcompute}), as before attached pools and instances existed. */
    public ClusterSpec(
            String name,
            String size,
            String tier,
            int minInstances,
            int maxInstances,
            long idleTimeBeforeScaleDown,
            String location) {
        this(name, size, tier, minInstances, maxInstances, idleTimeBeforeScaleDown, location, AMLCOMPUTE, null, null);
    }

    /** An attached pool of at most {@code maxNodes} machines that join by running the node agent. */
    public static ClusterSpec attachedPool(String name, int maxNodes, AttachedCompute attached) {
        return new ClusterSpec(name, "attached", "dedicated", 0, maxNodes, 0, null, VIRTUAL_MACHINE, attached, null);
    }

    public ClusterSpec {
        type = type == null ? AMLCOMPUTE : type;
        if (!type.equals(AMLCOMPUTE) && !type.equals(VIRTUAL_MACHINE) && !type.equals(COMPUTE_INSTANCE)) {
            throw new InvalidSpecException(
                    "compute type must be amlcompute, virtualmachine or computeinstance, got '" + type + "'");
        }
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]{1,31}")) {
            throw new InvalidSpecException(
                    "cluster name '" + name
                            + "' must be 2 to 32 characters of lower-case letters, digits and '-', starting with a letter or digit");
        }
        tier = tier == null ? "dedicated" : tier.replace("lowpriority", "low_priority");
        if (!tier.equals("dedicated") && !tier.equals("low_priority")) {
            throw new InvalidSpecException(
                    "cluster '" + name + "': tier must be dedicated or low_priority, not '" + tier + "'");
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
        return new ClusterSpec(name, size, tier, min, max, idleSeconds, location, type, attached, instance);
    }

    /** True for an {@code amlcompute} cluster: the autoscaler sizes it and the provisioner creates its nodes. */
    public boolean scaled() {
        return type.equals(AMLCOMPUTE);
    }

    /** True for an attached pool: its nodes are the machines whose agents heartbeat with its name. */
    @JsonIgnore
    public boolean isAttached() {
        return type.equals(VIRTUAL_MACHINE);
    }

    @JsonIgnore
    public boolean isInstance() {
        return type.equals(COMPUTE_INSTANCE);
    }

    /** The same definition with every secret hidden: what a GET returns. */
    public ClusterSpec redacted() {
        return attached == null
                ? this
                : new ClusterSpec(
                        name,
                        size,
                        tier,
                        minInstances,
                        maxInstances,
                        idleTimeBeforeScaleDown,
                        location,
                        type,
                        attached.redacted(),
                        instance);
    }
}
