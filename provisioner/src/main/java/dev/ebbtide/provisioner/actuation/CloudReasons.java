package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.Reason;
import java.time.Duration;
import java.util.Locale;

/** Typed reasons the provisioner gives; the code is stable (dashboards), the message is for people. */
public final class CloudReasons {

    public static final String NODE_NOT_READY_IN_TIME = "node_not_ready_in_time";
    public static final String NODE_FAILED = "node_failed";

    private CloudReasons() {}

    /** The reason for a backoff caused by this error; the code is the error class ({@code quota_exceeded}, …). */
    public static Reason forError(ErrorClass errorClass, String cloudMessage) {
        String code = errorClass.name().toLowerCase(Locale.ROOT);
        String lead = switch (errorClass) {
            case QUOTA_EXCEEDED -> "waiting for quota";
            case CAPACITY_UNAVAILABLE -> "capacity unavailable";
            case THROTTLED -> "the cloud is throttling requests";
            case TRANSIENT -> "the cloud failed transiently";
            case CONFLICT -> "the scale set changed concurrently";
            case PREEMPTED -> "the operation was preempted by a newer one";
            case NOT_FOUND -> "the scale set was not found";
            case UNKNOWN, NONE -> "the cloud refused the request";
        };
        return new Reason(code, cloudMessage == null ? lead : lead + ": " + cloudMessage);
    }

    public static Reason notReadyInTime(String node, Duration limit) {
        return new Reason(
                NODE_NOT_READY_IN_TIME,
                "node " + node + " was not ready within max-node-provision-time " + human(limit)
                        + "; deleting and replacing it");
    }

    public static Reason agentNotAnnounced(String node, Duration limit) {
        return new Reason(
                NODE_NOT_READY_IN_TIME,
                "the agent of node " + node + " did not announce itself within " + "max-node-provision-time "
                        + human(limit) + "; deleting and replacing the node");
    }

    public static Reason failed(String node, ErrorClass errorClass, String message) {
        return new Reason(
                NODE_FAILED,
                "node " + node + " failed (" + errorClass.name().toLowerCase(Locale.ROOT) + ")"
                        + (message == null ? "" : ": " + message) + "; deleting it");
    }

    static String human(Duration d) {
        if (d.toSeconds() % 60 == 0) {
            return d.toMinutes() + "m";
        }
        return d.toSeconds() + "s";
    }
}
