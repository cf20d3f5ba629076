package dev.ebbtide.core.scaling;

/** Why a scaling decision is what it is. Stable names: they appear in logs, metrics and events. */
public enum ReasonCode {
    /** Queued jobs need more nodes than are idle, preparing or in flight: scale up. */
    QUEUE_NEEDS_NODES,
    /** The scale-up was cut to the cluster's maximum. */
    CAPPED_AT_MAX,
    /** A queued job needs more nodes than the maximum allows; it is not counted. */
    JOB_EXCEEDS_MAX,
    /** The cluster had fewer nodes than its minimum: scale up to it. */
    RAISED_TO_MIN,
    /** The cluster has more nodes than its maximum (e.g. max was lowered): idle nodes removed now. */
    ABOVE_MAX,
    /** An idle node reached its idle time: remove it. */
    IDLE_TIMEOUT,
    /** An idle node reached its idle time but is kept for the minimum. */
    HELD_FOR_MIN,
    /** An idle node is kept because a queued job is waiting for it (e.g. a gang job's other nodes). */
    HELD_FOR_QUEUE,
    /** Capacity already requested (preparing or in flight) covers (part of) the queue. */
    ALREADY_IN_FLIGHT,
    /** A scale-up is needed but the cluster is backing off. */
    BACKING_OFF,
    /** Adaptive: an idle node is kept because demand is expected soon. */
    KEPT_WARM,
    /** Adaptive: a node is started ahead of demand. */
    PREDICTED_DEMAND,
    /** Attached compute or a compute instance: Ebbtide never sizes it (its machines join, or it is started/stopped). */
    NOT_SCALED,
    /** Nothing to do. */
    NO_CHANGE
}
