package dev.ebbtide.common.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.Objects;

/**
 * Why a cluster cannot grow now, as the provisioner knows it: one of a closed set of kinds, each with the facts its
 * producer has, and one {@link #sentence()} that is what users see (a queued job's reason, the autoscaler's decision).
 * Travels in {@link ClusterBackoffChangedV2} with a {@code kind} discriminator; consumers switch on the type, never on
 * text. A new kind is a new version of the event (a v2 reader refuses a kind it does not know): {@code gangDeadline}
 * travels as v3 ({@link ClusterBackoffChangedV2#ceType()}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = WaitReason.CloudError.class, name = "cloudError"),
    @JsonSubTypes.Type(value = WaitReason.Quota.class, name = "quota"),
    @JsonSubTypes.Type(value = WaitReason.Approval.class, name = "approval"),
    @JsonSubTypes.Type(value = WaitReason.InstanceStopped.class, name = "instanceStopped"),
    @JsonSubTypes.Type(value = WaitReason.GangDeadline.class, name = "gangDeadline")
})
public sealed interface WaitReason {

    /**
     * When the autoscaler may ask for nodes again: the end of a cloud back-off, or only the provisioner's next look
     * at a quota wait (the wait itself ends when quota is raised or cores are freed); null when no time is known (a
     * stopped compute instance waits until it is started).
     */
    Instant until();

    /** The one sentence users see, e.g. "waiting for quota: standardNCSv3Family uses 18 of 24 cores". */
    @JsonIgnore
    String sentence();

    /**
     * The cloud refused a scale-up; the provisioner backs the cluster off until {@code until}.
     *
     * @param errorClass Ebbtide's class of the failure
     * @param message    what the provisioner said about it, with the cloud's own message
     */
    record CloudError(ErrorClass errorClass, String message, Instant until) implements WaitReason {
        public CloudError {
            errorClass = errorClass == null ? ErrorClass.UNKNOWN : errorClass;
            Objects.requireNonNull(until, "until");
        }

        @Override
        public String sentence() {
            String lead = switch (errorClass) {
                case QUOTA_EXCEEDED -> "waiting for quota";
                case CAPACITY_UNAVAILABLE -> "waiting for capacity: unavailable in the region";
                case THROTTLED -> "waiting: the cloud is throttling requests";
                default -> "waiting: the cloud refused nodes (" + errorClass + ")";
            };
            return lead + " (" + (message == null ? errorClass : message) + "; retry after " + until + ")";
        }
    }

    /**
     * A scale-up would exceed a core quota; nothing beyond it was sent to the cloud.
     *
     * @param gang  optional: the nodes of the gang unit that did not fit whole (nothing of it was sent)
     * @param room  optional: how many nodes the quota had room for then
     * @param quota the binding quota's name (a VM family, {@code lowPriorityCores} or {@code cores}); null when not
     *              known (a v1 record)
     * @param used  cores in use, null when not known
     * @param limit the quota's cores, null when not known
     */
    record Quota(String quota, Integer used, Integer limit, Instant until, Integer gang, Integer room)
            implements WaitReason {
        /** No gang unit was refused. */
        public Quota(String quota, Integer used, Integer limit, Instant until) {
            this(quota, used, limit, until, null, null);
        }

        @Override
        public String sentence() {
            if (quota == null || used == null || limit == null) {
                return "waiting for quota";
            }
            return "waiting for quota: " + quota + " uses " + used + " of " + limit + " cores"
                    + (gang == null || room == null
                            ? ""
                            : "; a gang of " + gang + " nodes must fit whole, room for " + room);
        }
    }

    /**
     * The VM series needs approval and has none (its family's limit is 0).
     *
     * @param series the VM series, e.g. NDv2; null when not known (a v1 record)
     * @param quota  its family's quota name, e.g. standardNDSv2Family; null when not known
     */
    record Approval(String series, String quota, Instant until) implements WaitReason {
        @Override
        public String sentence() {
            if (series == null) {
                return "waiting for approval";
            }
            return "waiting for approval of " + series
                    + (quota == null ? "" : " (quota " + quota + " has no approved cores")
                    + (quota == null ? " (" : "; ") + "request a quota increase for the series)";
        }
    }

    /**
     * A compute instance cannot take jobs (stopped, stopping, failed, being deleted) until someone starts it: no
     * {@code until}.
     *
     * @param instance the compute instance
     * @param state    its state, e.g. stopped; null when not known (a v1 record)
     * @param why      what the provisioner saw, e.g. "stopped by ./ebbtide compute stop"; may be null
     */
    record InstanceStopped(String instance, String state, String why) implements WaitReason {
        public InstanceStopped {
            Objects.requireNonNull(instance, "instance");
        }

        @Override
        public Instant until() {
            return null;
        }

        @Override
        public String sentence() {
            return "waiting: compute instance " + instance + " is " + (state == null ? "stopped" : state)
                    + (why == null ? "" : " (" + why + ")") + "; start it with ./ebbtide compute start " + instance;
        }
    }

    /**
     * A gang unit was not all up (every agent announced) within the cluster's {@code max_gang_provision_time}: the
     * nodes that came up for it were given back, and the cluster waits until {@code until} before it asks again.
     *
     * @param jobId    the queued job the unit was for
     * @param got      nodes of the unit that were up at the deadline
     * @param wanted   nodes the unit needed
     * @param deadline seconds the unit had ({@code max_gang_provision_time})
     */
    record GangDeadline(String jobId, int got, int wanted, Long deadline, Instant until) implements WaitReason {
        public GangDeadline {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(until, "until");
        }

        @Override
        public String sentence() {
            return "waiting: job " + jobId + " got " + got + " of " + wanted + " node(s)"
                    + (deadline == null ? "" : " within " + deadline + " s")
                    + " (max_gang_provision_time); the nodes were given back; retry after " + until;
        }
    }
}
