package dev.ebbtide.common.azureml;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

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
 * @param capacity Ebbtide's extensions of an {@code amlcompute} cluster (gang deadline, fallback sizes, Spot max
 *                 price), or null for the defaults
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
        ComputeInstance instance,
        Capacity capacity) {

    /**
     * One alternative a cluster may fall back to when its size cannot be had: a VM size of the same shape (at least
     * the primary's GPUs and cores per node) and a tier.
     */
    public record Alternative(String size, String tier) {
        public Alternative {
            tier = ClusterSpec.tier(tier, "an ebbtide_fallback entry");
            if (size == null || size.isBlank()) {
                throw new InvalidSpecException("an ebbtide_fallback entry needs a size, e.g. {size: Standard_NC6s_v3}");
            }
        }
    }

    /**
     * Ebbtide's extensions of a cluster's YAML (docs/compute.md#ebbtide-extensions).
     *
     * @param maxGangProvisionTime seconds a gang unit may take to be all up ({@code max_gang_provision_time}); null:
     *                             the provisioner's {@code ebbtide.provisioner.max-gang-provision-time}
     * @param fallback             ordered alternatives ({@code ebbtide_fallback}), tried after the cluster's own size
     *                             and tier; empty for none
     * @param spotMaxPrice         the most a Spot VM may cost per hour in US dollars ({@code spot_max_price}); -1 (or
     *                             null) = up to the on-demand price, Azure's default
     */
    public record Capacity(Long maxGangProvisionTime, List<Alternative> fallback, Double spotMaxPrice) {
        public Capacity {
            fallback = fallback == null ? List.of() : List.copyOf(fallback);
            if (maxGangProvisionTime != null && maxGangProvisionTime < 1) {
                throw new InvalidSpecException(
                        "max_gang_provision_time must be at least 1 second, got " + maxGangProvisionTime);
            }
            if (spotMaxPrice != null && spotMaxPrice != -1 && spotMaxPrice <= 0) {
                throw new InvalidSpecException("spot_max_price must be -1 (up to the on-demand price) or a price in "
                        + "US dollars per hour above 0, got " + spotMaxPrice);
            }
        }
    }

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

    /** Without Ebbtide's extensions. */
    public ClusterSpec(
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
        this(
                name,
                size,
                tier,
                minInstances,
                maxInstances,
                idleTimeBeforeScaleDown,
                location,
                type,
                attached,
                instance,
                null);
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
        tier = tier(tier, "cluster '" + name + "'");
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

    /**
     * {@code dedicated} (also when absent) or {@code low_priority}; {@code lowpriority} and {@code spot} are read as
     * {@code low_priority} (since 31 March 2026 Azure ML gives low-priority clusters Spot VMs).
     */
    static String tier(String tier, String what) {
        if (tier == null) {
            return "dedicated";
        }
        String t = tier.strip().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("lowpriority") || t.equals("spot")) {
            t = "low_priority";
        }
        if (!t.equals("dedicated") && !t.equals("low_priority")) {
            throw new InvalidSpecException(what + ": tier must be dedicated, low_priority or spot, not '" + tier + "'");
        }
        return t;
    }

    /** True for a low-priority (Spot) cluster. */
    @JsonIgnore
    public boolean isSpot() {
        return "low_priority".equals(tier);
    }

    /** The extensions, or the defaults when none were given. */
    @JsonIgnore
    public Capacity capacityOrDefault() {
        return capacity == null ? new Capacity(null, List.of(), null) : capacity;
    }

    /** The same cluster with the fields that may change after creation replaced. */
    public ClusterSpec withScaleSettings(int min, int max, long idleSeconds) {
        return new ClusterSpec(name, size, tier, min, max, idleSeconds, location, type, attached, instance, capacity);
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
                        instance,
                        capacity);
    }
}
