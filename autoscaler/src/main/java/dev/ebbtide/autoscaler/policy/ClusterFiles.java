package dev.ebbtide.autoscaler.policy;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.PolicySettings;

/**
 * What a cluster file read at start-up defines, pure. As in Azure ML the file creates the cluster and changes made at
 * runtime are kept, unless the file itself was edited since it was last read: then its scale settings are a new
 * policy version by {@code file}.
 */
public final class ClusterFiles {
    /** The definition to apply: spec, policy (null = the cluster's or the default), the version's reason. */
    public record Definition(ClusterSpec spec, String policy, String reason, boolean keepsRuntimeChanges) {}

    private ClusterFiles() {}

    /** The settings a file holds (files name no policy: {@code ""}). */
    public static PolicySettings settings(ClusterSpec file) {
        return PolicyVersions.settings(file, "");
    }

    /**
     * @param file     the file's spec
     * @param known    the cluster's definition on the compacted topic, or null (new cluster)
     * @param lastRead the file's settings when it was last read, or null (never recorded)
     */
    public static Definition define(ClusterSpec file, ClusterDefined known, PolicySettings lastRead) {
        if (known == null) {
            return new Definition(file, null, "created from its cluster file", false);
        }
        if (lastRead != null && !sameScale(lastRead, settings(file))) {
            return new Definition(file, known.policy(), "cluster file changed", false);
        }
        ClusterSpec kept = file.withScaleSettings(
                known.spec().minInstances(),
                known.spec().maxInstances(),
                known.spec().idleTimeBeforeScaleDown());
        return new Definition(kept, known.policy(), "defined before policy versions were recorded", !kept.equals(file));
    }

    /** True if the topic already holds exactly this definition (then publishing it again adds nothing). */
    public static boolean unchanged(ClusterDefined known, ClusterSpec spec, String policy) {
        return known != null && spec.equals(known.spec()) && policy.equals(known.policy());
    }

    private static boolean sameScale(PolicySettings a, PolicySettings b) {
        return a.minInstances() == b.minInstances()
                && a.maxInstances() == b.maxInstances()
                && a.idleTimeBeforeScaleDown() == b.idleTimeBeforeScaleDown();
    }
}
