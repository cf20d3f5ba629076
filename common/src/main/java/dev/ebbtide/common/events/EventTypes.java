package dev.ebbtide.common.events;

/** CloudEvents {@code ce_type} values: reverse-DNS, entity, verb, version. v1 records only gain optional fields. */
public final class EventTypes {
    public static final String SOURCE_PREFIX = "/ebbtide/";
    public static final String JOB_SUBMITTED = "dev.ebbtide.job.submitted.v1";
    public static final String JOB_STATE_CHANGED = "dev.ebbtide.job.state-changed.v1";
    public static final String JOB_ASSIGNED = "dev.ebbtide.job.assigned.v1";
    public static final String JOB_STOP_REQUESTED = "dev.ebbtide.job.stop-requested.v1";
    public static final String JOB_RUN_REPORTED = "dev.ebbtide.job.run-reported.v1";
    public static final String CLUSTER_DEFINED = "dev.ebbtide.cluster.defined.v1";
    public static final String CLUSTER_DEMAND_CHANGED = "dev.ebbtide.cluster.demand-changed.v1";
    /** Bounded demand with arrivals ({@link ClusterDemandChangedV2}); the scheduler publishes v2 only. */
    public static final String CLUSTER_DEMAND_CHANGED_V2 = "dev.ebbtide.cluster.demand-changed.v2";

    public static final String CLUSTER_BACKOFF_CHANGED = "dev.ebbtide.cluster.backoff-changed.v1";
    /** A typed wait reason ({@link ClusterBackoffChangedV2}); the provisioner publishes v2 only. */
    public static final String CLUSTER_BACKOFF_CHANGED_V2 = "dev.ebbtide.cluster.backoff-changed.v2";
    /**
     * The same record as v2 whose wait may be of a kind added after v2 ({@code gangDeadline}): the provisioner sends
     * v3 only for those, so a v2 reader never meets a kind it does not know ({@link ClusterBackoffChangedV2#ceType()}).
     */
    public static final String CLUSTER_BACKOFF_CHANGED_V3 = "dev.ebbtide.cluster.backoff-changed.v3";

    public static final String SCALE_REQUESTED = "dev.ebbtide.scale.requested.v1";
    public static final String NODE_STATE_CHANGED = "dev.ebbtide.node.state-changed.v1";
    public static final String NODE_AGENT_STATUS = "dev.ebbtide.node.agent-status.v1";
    public static final String JOB_LOG_CHUNK = "dev.ebbtide.job.log-chunk.v1";
    public static final String POLICY_HISTORY = "dev.ebbtide.policy.history.v1";
    public static final String POLICY_CHANGED = "dev.ebbtide.policy.changed.v1";
    public static final String SCALING_DECISION_RECORDED = "dev.ebbtide.scaling.decision-recorded.v1";
    /** The provisioner's durable memory of one cluster ({@link ProvisionerClusterState}). */
    public static final String PROVISIONER_CLUSTER_STATE = "dev.ebbtide.provisioner.cluster-state.v1";

    private EventTypes() {}
}
