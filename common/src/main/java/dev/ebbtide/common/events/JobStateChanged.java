package dev.ebbtide.common.events;

import java.time.Instant;

/**
 * A job changed state. Published by the scheduler, which owns job state.
 *
 * @param reason         why (always set for Failed, and for Queued when the job waits for something)
 * @param exitCode       when the job ran: the first non-zero node exit code, else 0
 * @param outputLocation when the job ran: the directory holding each node's output file
 */
public record JobStateChanged(
        String jobId,
        String cluster,
        JobState state,
        JobState previous,
        String reason,
        Integer exitCode,
        String outputLocation,
        Instant at) {}
