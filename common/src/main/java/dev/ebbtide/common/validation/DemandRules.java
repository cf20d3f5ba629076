package dev.ebbtide.common.validation;

import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.QueuedJob;
import java.util.Optional;

/** {@link ClusterDemandChangedV2}'s validation: counts in range, head and arrivals well formed. */
final class DemandRules {
    private DemandRules() {}

    static Optional<String> check(ClusterDemandChangedV2 e) {
        if (e.cluster().isBlank()) {
            return Optional.of("cluster is missing or empty");
        }
        if (e.queuedJobs() < 0 || e.nodesNeeded() < 0) {
            return Optional.of("queuedJobs and nodesNeeded must not be negative, got " + e.queuedJobs() + " and "
                    + e.nodesNeeded());
        }
        if (e.queueHead().size() > ClusterDemandChangedV2.HEAD) {
            return Optional.of("queueHead lists at most " + ClusterDemandChangedV2.HEAD + " jobs, got "
                    + e.queueHead().size());
        }
        for (QueuedJob job : e.queueHead()) {
            if (job == null || job.jobId() == null || job.jobId().isBlank() || job.instanceCount() < 1) {
                return Optional.of("queueHead entries need a jobId and an instanceCount of at least 1");
            }
        }
        int jobs = 0;
        for (ClusterDemandChangedV2.JobsOfSize s : e.bySize()) {
            if (s == null || s.nodes() < 1 || s.jobs() < 0) {
                return Optional.of("bySize entries need nodes of at least 1 and jobs of at least 0");
            }
            jobs += s.jobs();
        }
        if (jobs != e.queuedJobs()) {
            return Optional.of("bySize counts " + jobs + " job(s) but queuedJobs is " + e.queuedJobs());
        }
        for (ClusterDemandChangedV2.Arrival a : e.arrivals()) {
            if (a == null || a.jobId() == null || a.jobId().isBlank() || a.nodes() < 1) {
                return Optional.of("arrivals need a jobId and nodes of at least 1");
            }
        }
        return Optional.empty();
    }
}
