package dev.ebbtide.autoscaler.loop;

import dev.ebbtide.common.events.ClusterDemandChangedV2;
import java.util.ArrayList;
import java.util.List;

/** Reads the queued demand of a v2 demand event in the form the scaling core takes today. */
final class DemandV2 {
    private DemandV2() {
    }

    /** The nodes needed by each queued job, smallest size first (the core only sums them and compares with max). */
    static List<Integer> nodesPerJob(ClusterDemandChangedV2 e) {
        List<Integer> demand = new ArrayList<>();
        for (ClusterDemandChangedV2.JobsOfSize size : e.bySize()) {
            for (int k = 0; k < size.jobs(); k++) {
                demand.add(size.nodes());
            }
        }
        return List.copyOf(demand);
    }
}
