package dev.ebbtide.scheduler.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.job.CodeRef;
import dev.ebbtide.common.job.JobEnvironment;
import dev.ebbtide.common.job.JobInput;
import dev.ebbtide.common.job.JobOutput;
import dev.ebbtide.core.estimate.StartEstimate;
import dev.ebbtide.scheduler.persistence.JobEntity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A job as users see it in {@code GET /jobs/{id}}; {@code team} is the team it belongs to (docs/teams.md). {@code outputs} are the paths of each node rank's output (the logs
 * endpoint); {@code outputLocation} is the directory on the node that reported first. A {@code Queued} job also has
 * {@code queuePosition} (1 = next), {@code estimatedStartAt} (absent when unknown) and {@code estimateBasis}, computed
 * on read ({@code StartEstimates}); other jobs have none of the three. What the job was written with is shown as it
 * was stored: {@code description}, {@code tags}, {@code code} (the snapshot), {@code jobInputs}, {@code jobOutputs}
 * (the declared outputs; {@code outputsUrl} lists what was uploaded) and {@code environment}.
 */
public record JobView(
        String id,
        String cluster,
        String state,
        String reason,
        int instanceCount,
        String priority,
        String displayName,
        String experimentName,
        List<String> nodes,
        Integer exitCode,
        String outputLocation,
        List<String> outputs,
        String submittedBy,
        String team,
        Instant submittedAt,
        Instant startedAt,
        Instant endedAt,
        int attempt,
        List<LogInfo> logs,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer queuePosition,
        @JsonInclude(JsonInclude.Include.NON_NULL) Instant estimatedStartAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String estimateBasis,
        @JsonInclude(JsonInclude.Include.NON_NULL) String description,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> tags,
        @JsonInclude(JsonInclude.Include.NON_NULL) CodeRef code,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, JobInput> jobInputs,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, JobOutput> jobOutputs,
        @JsonInclude(JsonInclude.Include.NON_NULL) JobEnvironment environment,
        String outputsUrl) {

    /** Output the scheduler holds for one rank of one attempt ({@code GET /jobs/{id}/logs?attempt=A&rank=N}). */
    public record LogInfo(int attempt, int rank, long bytes) {}

    static JobView of(JobEntity j) {
        return of(j, null);
    }

    static JobView of(JobEntity j, List<LogInfo> logs) {
        return of(j, logs, null);
    }

    static JobView of(JobEntity j, List<LogInfo> logs, StartEstimate estimate) {
        return of(j, logs, estimate, j.reason);
    }

    /** {@code reason} is the job's reason as shown: its stored one, or why fair share holds a queued job back. */
    static JobView of(JobEntity j, List<LogInfo> logs, StartEstimate estimate, String reason) {
        JobSpec spec = j.specJson == null ? null : EventJson.read(j.specJson, JobSpec.class);
        List<String> outputs = j.attempt < 1
                ? List.of()
                : IntStream.range(0, j.instanceCount)
                        .mapToObj(r -> "/jobs/" + j.id + "/logs?rank=" + r)
                        .toList();
        return new JobView(
                j.id,
                j.cluster,
                j.state.name(),
                reason,
                j.instanceCount,
                j.priority,
                spec == null ? null : spec.displayName(),
                spec == null ? null : spec.experimentName(),
                j.nodeList(),
                j.state.isTerminal() ? j.exitCode : null,
                j.outputLocation,
                outputs,
                j.submittedBy,
                j.team,
                j.submittedAt,
                j.startedAt,
                j.endedAt,
                j.attempt,
                logs,
                estimate == null ? null : estimate.position(),
                estimate == null ? null : estimate.startAt(),
                estimate == null ? null : estimate.basis(),
                spec == null ? null : spec.description(),
                spec == null ? Map.of() : spec.tags(),
                spec == null ? null : spec.code(),
                spec == null ? Map.of() : spec.inputs(),
                spec == null ? Map.of() : spec.outputs(),
                spec == null ? null : spec.environment(),
                "/jobs/" + j.id + "/outputs");
    }
}
