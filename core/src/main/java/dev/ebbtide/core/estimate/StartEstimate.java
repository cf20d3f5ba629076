package dev.ebbtide.core.estimate;

import java.time.Instant;

/**
 * Where a queued job stands and when it is expected to start.
 *
 * @param position 1-based place in its cluster's queue, in placement order (1 = next to start)
 * @param startAt  the estimated start, or {@code null} when it cannot be estimated
 * @param basis    one short sentence: what the estimate assumes
 */
public record StartEstimate(int position, Instant startAt, String basis) {}
