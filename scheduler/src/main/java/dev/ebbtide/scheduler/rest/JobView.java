package dev.ebbtide.scheduler.rest;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.scheduler.persistence.JobEntity;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A job as users see it in {@code GET /jobs/{id}}. {@code outputs} are the paths of each node rank's output (the logs
 * endpoint); {@code outputLocation} is the directory on the node that reported first.
 */
public record JobView(String id, String cluster, String state, String reason, int instanceCount, String priority,
        String displayName, String experimentName, List<String> nodes, Integer exitCode, String outputLocation,
        List<String> outputs, String submittedBy, Instant submittedAt, Instant startedAt, Instant endedAt, int attempt, List<LogInfo> logs) {

    /** Output the scheduler holds for one rank of one attempt ({@code GET /jobs/{id}/logs?attempt=A&rank=N}). */
    public record LogInfo(int attempt, int rank, long bytes) {
    }

    static JobView of(JobEntity j) {
        return of(j, null);
    }

    static JobView of(JobEntity j, List<LogInfo> logs) {
        JobSpec spec = j.specJson == null ? null : EventJson.read(j.specJson, JobSpec.class);
        List<String> outputs = j.attempt < 1 ? List.of()
                : IntStream.range(0, j.instanceCount).mapToObj(r -> "/jobs/" + j.id + "/logs?rank=" + r).toList();
        return new JobView(j.id, j.cluster, j.state.name(), j.reason, j.instanceCount, j.priority,
                spec == null ? null : spec.displayName(), spec == null ? null : spec.experimentName(), j.nodeList(),
                j.state.isTerminal() ? j.exitCode : null, j.outputLocation, outputs, j.submittedBy, j.submittedAt, j.startedAt, j.endedAt, j.attempt, logs);
    }
}
