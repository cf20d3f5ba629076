package dev.ebbtide.autoscaler.loop;

import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.core.gang.GangUnit;
import dev.ebbtide.core.scaling.QueuedDemand;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Demand events (v1 and v2) as the scaling core's bounded {@link QueuedDemand}. */
final class DemandEvents {
    private DemandEvents() {}

    static QueuedDemand queued(ClusterDemandChangedV2 e) {
        Map<Integer, Integer> jobsBySize = new TreeMap<>();
        for (ClusterDemandChangedV2.JobsOfSize s : e.bySize()) {
            jobsBySize.merge(
                    Math.max(1, s.nodes()), Math.max(0, s.jobs()), Integer::sum); // a size listed twice adds up
        }
        return QueuedDemand.of(jobsBySize);
    }

    /** The queued jobs the event lists, in placement order, with the nodes each needs. */
    static List<GangUnit> head(List<QueuedJob> jobs) {
        return jobs.stream()
                .filter(j -> j.jobId() != null)
                .map(j -> new GangUnit(j.jobId(), Math.max(1, j.instanceCount())))
                .toList();
    }

    static QueuedDemand queued(ClusterDemandChanged e) {
        return QueuedDemand.ofJobs(
                e.queue().stream().map(QueuedJob::instanceCount).toList());
    }
}
