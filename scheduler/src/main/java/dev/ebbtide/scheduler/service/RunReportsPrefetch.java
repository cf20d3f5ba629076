package dev.ebbtide.scheduler.service;

import dev.ebbtide.scheduler.persistence.JobRepository;
import dev.ebbtide.scheduler.persistence.NodeEntity;
import dev.ebbtide.scheduler.persistence.NodeRepository;
import io.smallrye.mutiny.Uni;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The run reports of a batch, loaded with two queries instead of three round trips per report: the jobs they name,
 * and every node that holds one of those jobs or sent a report. Both land in the session, so the handlers' lookups by
 * id are answered from it; and since only placement (after the handlers) gives nodes to jobs, the loaded nodes are all
 * the nodes that can hold those jobs during the handlers: {@link #holding} counts them in memory.
 */
final class RunReportsPrefetch {
    private final Set<String> jobIds;
    private final Map<String, NodeEntity> nodes = new HashMap<>();

    private RunReportsPrefetch(Set<String> jobIds) {
        this.jobIds = jobIds;
    }

    /** Loads what the reports need into the current session; empty reports cost nothing. */
    static Uni<RunReportsPrefetch> load(
            Set<String> jobIds, Set<String> nodeNames, JobRepository jobs, NodeRepository nodeRepository) {
        if (jobIds.isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        RunReportsPrefetch p = new RunReportsPrefetch(Set.copyOf(jobIds));
        return jobs.byIds(jobIds)
                .chain(() -> nodeRepository.holdingOrNamed(jobIds, nodeNames))
                .invoke(list -> list.forEach(n -> p.nodes.put(n.name, n)))
                .replaceWith(p);
    }

    /** Whether {@link #holding} knows every node that holds {@code jobId}. */
    boolean knows(String jobId) {
        return jobIds.contains(jobId);
    }

    /** Nodes that hold {@code jobId} now (in this transaction), leaving out {@code except}. */
    int holding(String jobId, String except) {
        int n = 0;
        for (NodeEntity node : nodes.values()) {
            if (jobId.equals(node.jobId) && !node.name.equals(except)) {
                n++;
            }
        }
        return n;
    }
}
