package dev.ebbtide.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ebbtide.common.job.CodeRef;
import dev.ebbtide.common.job.JobEnvironment;
import dev.ebbtide.common.job.JobInput;
import dev.ebbtide.common.job.JobOutput;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a job runs: the fields of an Azure ML CLI v2 command job. Fields after {@code distribution} are optional
 * (absent in records from before they existed).
 *
 * @param command         shell command run once per node (per process with {@code distribution}); may hold
 *                        {@code ${{inputs.x}}} and {@code ${{outputs.x}}}, resolved on the node
 * @param instanceCount   nodes the job needs at once (gang start), at least 1
 * @param environmentVariables extra environment for the command
 * @param priority        {@code low}, {@code medium} (default) or {@code high}
 * @param timeoutSeconds  optional {@code limits.timeout}
 * @param distribution    optional {@code distribution} (pytorch, tensorflow, mpi); absent = one process per node
 * @param code            optional snapshot of {@code code:}; each rank's working directory
 * @param inputs          {@code inputs:} by name, in the order written
 * @param outputs         {@code outputs:} by name, in the order written
 * @param environment     optional {@code environment:}; absent = the node's default environment
 * @param tags            {@code tags:}, stored and shown
 * @param description     {@code description:}, stored and shown
 */
public record JobSpec(
        String command,
        int instanceCount,
        Map<String, String> environmentVariables,
        String displayName,
        String experimentName,
        String priority,
        Long timeoutSeconds,
        Distribution distribution,
        CodeRef code,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, JobInput> inputs,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, JobOutput> outputs,
        JobEnvironment environment,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> tags,
        String description) {

    public JobSpec {
        environmentVariables = environmentVariables == null ? Map.of() : Map.copyOf(environmentVariables);
        priority = priority == null ? "medium" : priority;
        inputs = ordered(inputs);
        outputs = ordered(outputs);
        tags = ordered(tags);
    }

    /** A job with a distribution and nothing of code, data or environment. */
    public JobSpec(
            String command,
            int instanceCount,
            Map<String, String> environmentVariables,
            String displayName,
            String experimentName,
            String priority,
            Long timeoutSeconds,
            Distribution distribution) {
        this(
                command,
                instanceCount,
                environmentVariables,
                displayName,
                experimentName,
                priority,
                timeoutSeconds,
                distribution,
                null,
                null,
                null,
                null,
                null,
                null);
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

    /** The same job with its code snapshot, inputs or outputs replaced (the CLI resolves local paths this way). */
    public JobSpec withData(CodeRef code, Map<String, JobInput> inputs, Map<String, JobOutput> outputs) {
        return new JobSpec(
                command,
                instanceCount,
                environmentVariables,
                displayName,
                experimentName,
                priority,
                timeoutSeconds,
                distribution,
                code,
                inputs,
                outputs,
                environment,
                tags,
                description);
    }

    private static <V> Map<String, V> ordered(Map<String, V> map) {
        return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
