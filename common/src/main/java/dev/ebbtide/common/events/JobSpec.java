package dev.ebbtide.common.events;

import java.util.Map;

/**
 * What a job runs: the fields of an Azure ML CLI v2 command job that Ebbtide uses.
 *
 * @param command         shell command run once per node (per process with {@code distribution})
 * @param instanceCount   nodes the job needs at once (gang start), at least 1
 * @param environmentVariables extra environment for the command
 * @param priority        {@code low}, {@code medium} (default) or {@code high}
 * @param timeoutSeconds  optional {@code limits.timeout}
 * @param distribution    optional {@code distribution} (pytorch, tensorflow, mpi); absent = one process per node
 */
public record JobSpec(
        String command,
        int instanceCount,
        Map<String, String> environmentVariables,
        String displayName,
        String experimentName,
        String priority,
        Long timeoutSeconds,
        Distribution distribution) {

    public JobSpec {
        environmentVariables = environmentVariables == null ? Map.of() : Map.copyOf(environmentVariables);
        priority = priority == null ? "medium" : priority;
    }

    /** A job without a distribution section. */
    public JobSpec(
            String command,
            int instanceCount,
            Map<String, String> environmentVariables,
            String displayName,
            String experimentName,
            String priority,
            Long timeoutSeconds) {
        this(command, instanceCount, environmentVariables, displayName, experimentName, priority, timeoutSeconds, null);
    }
}
