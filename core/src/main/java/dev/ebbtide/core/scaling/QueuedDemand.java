package dev.ebbtide.core.scaling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A cluster's queued (not yet started) jobs counted by the nodes each needs, smallest size first. Its size is the
 * number of distinct job sizes, not the depth of the queue, so a decision over 100,000 queued jobs costs as much as
 * one over ten.
 *
 * @param bySize how many queued jobs need each number of nodes; one entry per size, sizes ascending
 */
public record QueuedDemand(List<JobsOfSize> bySize) {
    /** No queued job. */
    public static final QueuedDemand NONE = new QueuedDemand(List.of());

    /** {@code jobs} queued jobs that need {@code nodes} nodes each. */
    public record JobsOfSize(int nodes, int jobs) {
        public JobsOfSize {
            if (nodes < 1 || jobs < 0) {
                throw new IllegalArgumentException(
                        "a job size needs nodes >= 1 and jobs >= 0, got " + nodes + " and " + jobs);
            }
        }
    }

    public QueuedDemand {
        List<JobsOfSize> sorted = new ArrayList<>(bySize);
        sorted.removeIf(s -> s.jobs() == 0);
        sorted.sort(Comparator.comparingInt(JobsOfSize::nodes));
        for (int k = 1; k < sorted.size(); k++) {
            if (sorted.get(k).nodes() == sorted.get(k - 1).nodes()) {
                throw new IllegalArgumentException("job size " + sorted.get(k).nodes() + " is counted twice");
            }
        }
        bySize = List.copyOf(sorted);
    }

    /** Counts a list of per-job sizes (tests, traces); services keep the counts incrementally instead. */
    public static QueuedDemand ofJobs(List<Integer> nodesPerJob) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int n : nodesPerJob) {
            counts.merge(Math.max(1, n), 1, Integer::sum);
        }
        return of(counts);
    }

    /** From counts keyed by job size. */
    public static QueuedDemand of(Map<Integer, Integer> jobsBySize) {
        List<JobsOfSize> sizes = new ArrayList<>(jobsBySize.size());
        jobsBySize.forEach((nodes, jobs) -> sizes.add(new JobsOfSize(nodes, jobs)));
        return new QueuedDemand(sizes);
    }

    /** How many jobs are queued. */
    public int jobs() {
        int sum = 0;
        for (JobsOfSize s : bySize) {
            sum += s.jobs();
        }
        return sum;
    }

    /** The nodes all queued jobs need together. */
    public int nodes() {
        long sum = 0;
        for (JobsOfSize s : bySize) {
            sum += (long) s.nodes() * s.jobs();
        }
        return (int) Math.min(Integer.MAX_VALUE, sum);
    }

    public boolean isEmpty() {
        return bySize.isEmpty();
    }
}
