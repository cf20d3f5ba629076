package dev.ebbtide.common.events;

import java.time.Instant;

/**
 * A piece of one rank's output (stdout and stderr together), on {@code ebbtide.jobs.logs}. The agent keeps the whole
 * file on the node; the scheduler stores the chunks so {@code GET /jobs/{id}/logs} answers after the node is gone.
 *
 * @param seq  0, 1, 2, … per job, attempt and rank: the dedupe key and the order
 * @param data the text (invalid UTF-8 replaced), at most 64 KiB per chunk
 * @param eof  true on the last chunk of the rank (it exited)
 */
public record JobLogChunk(
        String jobId,
        String cluster,
        String node,
        int rank,
        int attempt,
        long seq,
        String data,
        boolean eof,
        Instant at) {}
