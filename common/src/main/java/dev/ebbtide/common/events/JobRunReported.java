package dev.ebbtide.common.events;

import java.time.Instant;

/**
 * A node reports on its part of a job: started, exited with a code, or rejected the assignment.
 *
 * @param attempt the assignment's attempt this report is about (optional)
 */
public record JobRunReported(
        String jobId,
        String cluster,
        String node,
        int rank,
        RunPhase phase,
        Integer exitCode,
        String outputPath,
        String reason,
        Integer attempt,
        Instant at) {}
