package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.NodeState;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long each cluster's nodes took to boot (reported {@code preparing} → {@code idle}), the last {@link #KEPT} per
 * cluster, in memory, for start estimates, and in PostgreSQL ({@code cluster_memory}) for the cluster's next owner. A
 * cluster with none observed yet uses {@code ebbtide.scheduler.node-boot-time}.
 */
@ApplicationScoped
public class BootTimes {
    /** Observations kept per cluster. */
    static final int KEPT = 5;

    private final Map<String, Deque<Duration>> observed = new ConcurrentHashMap<>();

    /**
     * A node's state changes from {@code was} (since {@code wasSince}) to {@code now} at {@code at}.
     *
     * @return the cluster's boot times after it (oldest first) when it was a boot, else null
     */
    List<Duration> nodeChanged(String cluster, NodeState was, Instant wasSince, NodeState now, Instant at) {
        if (was != NodeState.preparing
                || now != NodeState.idle
                || wasSince == null
                || at == null
                || at.isBefore(wasSince)) {
            return null;
        }
        Deque<Duration> last = observed.computeIfAbsent(cluster, c -> new ArrayDeque<>());
        synchronized (last) {
            last.addLast(Duration.between(wasSince, at));
            while (last.size() > KEPT) {
                last.removeFirst();
            }
            return List.copyOf(last);
        }
    }

    /** The cluster's boot times as stored (a new owner, a restart); none forgets them. */
    void restore(String cluster, List<Duration> times) {
        if (times.isEmpty()) {
            observed.remove(cluster);
        } else {
            observed.put(cluster, new ArrayDeque<>(times));
        }
    }

    /** The median of the cluster's last observed boot times, or {@code fallback} when none was observed. */
    Duration of(String cluster, Duration fallback) {
        Deque<Duration> last = observed.get(cluster);
        if (last == null) {
            return fallback;
        }
        List<Duration> times;
        synchronized (last) {
            times = new ArrayList<>(last);
        }
        return median(times, fallback);
    }

    /** The median of {@code times}, or {@code fallback} when there are none. */
    static Duration median(List<Duration> times, Duration fallback) {
        List<Duration> sorted = new ArrayList<>(times);
        if (sorted.isEmpty()) {
            return fallback;
        }
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
