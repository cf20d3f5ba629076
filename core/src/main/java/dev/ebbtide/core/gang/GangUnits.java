package dev.ebbtide.core.gang;

import java.util.ArrayList;
import java.util.List;

/**
 * Which units a scale-up asks for: the queued jobs are walked in placement order, the nodes already there for the queue
 * (idle, preparing, in flight) cover the first jobs, and each multi-node job they do not cover fully becomes a unit of
 * the nodes it still needs, while the units fit in the nodes added. A one-node job needs no unit (one node is all or
 * nothing already). Nodes added beyond the units (a raise to the minimum, nodes started ahead of demand) are not part
 * of any unit. Pure.
 */
public final class GangUnits {
    private GangUnits() {}

    /**
     * @param queue  the queued jobs in placement order, each with the nodes it needs in all (its instance count)
     * @param supply idle, preparing and in-flight nodes that count towards the queue
     * @param add    nodes this scale-up adds
     */
    public static List<GangUnit> plan(List<GangUnit> queue, int supply, int add) {
        List<GangUnit> units = new ArrayList<>();
        int left = Math.max(0, supply);
        int budget = add;
        for (GangUnit job : queue) {
            int covered = Math.min(left, job.nodes());
            left -= covered;
            int missing = job.nodes() - covered;
            if (missing == 0) {
                continue;
            }
            if (missing > budget) {
                break; // in order: a later, smaller job does not jump the queue
            }
            budget -= missing;
            if (job.nodes() > 1) {
                units.add(new GangUnit(job.jobId(), missing));
            }
        }
        return units;
    }
}
