package dev.ebbtide.autoscaler.policy;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.PolicyFieldChange;
import dev.ebbtide.common.events.PolicyHistory;
import dev.ebbtide.common.events.PolicySettings;
import dev.ebbtide.common.events.PolicyVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Policy versions, pure: the next version of a cluster's history for a change or a rollback, and the diff between two
 * settings. No I/O, no clock: {@link PolicyBook} keeps the histories and publishes them.
 */
public final class PolicyVersions {
    private PolicyVersions() {}

    /** The settings a cluster spec and policy name amount to. */
    public static PolicySettings settings(ClusterSpec spec, String policy) {
        return new PolicySettings(spec.minInstances(), spec.maxInstances(), spec.idleTimeBeforeScaleDown(), policy);
    }

    /** A spec with the scale settings of {@code s} (the other fields from {@code spec}). */
    public static ClusterSpec apply(ClusterSpec spec, PolicySettings s) {
        return spec.withScaleSettings(s.minInstances(), s.maxInstances(), s.idleTimeBeforeScaleDown());
    }

    /** The fields that differ, in the REST API's names; every field when {@code from} is null. */
    public static List<PolicyFieldChange> diff(PolicySettings from, PolicySettings to) {
        List<PolicyFieldChange> changes = new ArrayList<>();
        field(changes, "min_instances", from == null ? null : from.minInstances(), to.minInstances());
        field(changes, "max_instances", from == null ? null : from.maxInstances(), to.maxInstances());
        field(
                changes,
                "idle_time_before_scale_down",
                from == null ? null : from.idleTimeBeforeScaleDown(),
                to.idleTimeBeforeScaleDown());
        field(changes, "policy", from == null ? null : from.policy(), to.policy());
        return changes;
    }

    private static void field(List<PolicyFieldChange> changes, String name, Object from, Object to) {
        if (!Objects.equals(from, to)) {
            changes.add(new PolicyFieldChange(name, from == null ? null : from.toString(), to.toString()));
        }
    }

    /** The version in force, if any. */
    public static Optional<PolicyVersion> current(PolicyHistory history) {
        return history == null || history.versions().isEmpty()
                ? Optional.empty()
                : Optional.of(history.versions().get(history.versions().size() - 1));
    }

    /**
     * The history with a new version for {@code to}; empty when {@code to} equals the settings in force (a change that
     * changes nothing makes no version).
     */
    public static Optional<PolicyHistory> change(
            PolicyHistory history, String cluster, PolicySettings to, String principal, String reason, Instant now) {
        Optional<PolicyVersion> current = current(history);
        if (current.isPresent() && current.get().settings().equals(to)) {
            return Optional.empty();
        }
        return Optional.of(append(history, cluster, to, principal, reason, null, now));
    }

    /**
     * The history with a new version equal to version {@code version} (always a new version, even when the settings
     * are already those).
     *
     * @throws IllegalArgumentException if that version is not in the kept history
     */
    public static PolicyHistory rollback(
            PolicyHistory history, String cluster, int version, String principal, String reason, Instant now) {
        PolicyVersion target = find(history, version)
                .orElseThrow(() -> new IllegalArgumentException(
                        "cluster '" + cluster + "' has no policy version " + version + kept(history)));
        return append(history, cluster, target.settings(), principal, reason, version, now);
    }

    /** Version {@code version} if it is still kept. */
    public static Optional<PolicyVersion> find(PolicyHistory history, int version) {
        if (history == null) {
            return Optional.empty();
        }
        return history.versions().stream().filter(v -> v.version() == version).findFirst();
    }

    /** The history with the cluster file's settings as last read. */
    public static PolicyHistory withFileSettings(
            PolicyHistory history, String cluster, PolicySettings file, Instant now) {
        return new PolicyHistory(cluster, history == null ? List.of() : history.versions(), file, now);
    }

    private static PolicyHistory append(
            PolicyHistory history,
            String cluster,
            PolicySettings to,
            String principal,
            String reason,
            Integer rollbackOf,
            Instant now) {
        Optional<PolicyVersion> current = current(history);
        int number = current.map(v -> v.version() + 1).orElse(1);
        PolicyVersion next = new PolicyVersion(
                number,
                principal,
                now,
                reason == null || reason.isBlank() ? null : reason,
                to,
                diff(current.map(PolicyVersion::settings).orElse(null), to),
                rollbackOf);
        List<PolicyVersion> versions = new ArrayList<>(history == null ? List.of() : history.versions());
        versions.add(next);
        while (versions.size() > PolicyHistory.KEPT) {
            versions.remove(0);
        }
        return new PolicyHistory(cluster, versions, history == null ? null : history.fileSettings(), now);
    }

    private static String kept(PolicyHistory history) {
        if (history == null || history.versions().isEmpty()) {
            return " (it has none)";
        }
        return "; kept: " + history.versions().get(0).version() + " to "
                + history.versions().get(history.versions().size() - 1).version();
    }
}
