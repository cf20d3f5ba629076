package dev.ebbtide.core.scaling;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A small builder for snapshots in tests. */
final class Snapshots {
    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

    private String cluster = "gpu-cluster";
    private int min;
    private int max = Integer.MAX_VALUE;
    private Duration idle = Duration.ofSeconds(120);
    private final List<Integer> queue = new ArrayList<>();
    private final List<ScalingNode> nodes = new ArrayList<>();
    private int inFlight;
    private Backoff backoff;
    private ArrivalHistory arrivals = ArrivalHistory.NONE;

    static Snapshots cluster() {
        return new Snapshots();
    }

    static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    Snapshots name(String n) {
        cluster = n;
        return this;
    }

    Snapshots min(int n) {
        min = n;
        return this;
    }

    Snapshots max(int n) {
        max = n;
        return this;
    }

    Snapshots idleTime(long seconds) {
        idle = Duration.ofSeconds(seconds);
        return this;
    }

    Snapshots queued(Integer... demand) {
        queue.addAll(List.of(demand));
        return this;
    }

    Snapshots idle(String name, long idleSinceS) {
        nodes.add(ScalingNode.idle(name, at(idleSinceS)));
        return this;
    }

    Snapshots busy(String... names) {
        for (String n : names) {
            nodes.add(ScalingNode.busy(n));
        }
        return this;
    }

    Snapshots preparing(String... names) {
        for (String n : names) {
            nodes.add(ScalingNode.preparing(n));
        }
        return this;
    }

    Snapshots leaving(String... names) {
        for (String n : names) {
            nodes.add(ScalingNode.leaving(n));
        }
        return this;
    }

    Snapshots inFlight(int n) {
        inFlight = n;
        return this;
    }

    Snapshots backoffUntil(long seconds, String reason) {
        backoff = new Backoff(at(seconds), reason);
        return this;
    }

    Snapshots arrivals(ArrivalHistory history) {
        this.arrivals = history;
        return this;
    }

    ClusterSnapshot build() {
        return new ClusterSnapshot(
                cluster, new ScalingSettings(min, max, idle), queue, nodes, inFlight, backoff, arrivals);
    }
}
