package dev.ebbtide.core.usage;

import java.time.Duration;
import java.time.Instant;

/** A closed stretch of one node's time, counted to one holder: {@code [start, end)}. */
public record UsageSegment(String cluster, String node, Machine machine, Holder holder, Instant start, Instant end) {

    public long millis() {
        return Duration.between(start, end).toMillis();
    }

    /** This segment cut to {@code [from, to)}, or null when nothing of it lies there. */
    public UsageSegment clip(Instant from, Instant to) {
        Instant s = start.isBefore(from) ? from : start;
        Instant e = end.isAfter(to) ? to : end;
        return s.isBefore(e) ? new UsageSegment(cluster, node, machine, holder, s, e) : null;
    }
}
