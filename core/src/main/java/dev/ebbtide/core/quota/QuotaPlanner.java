package dev.ebbtide.core.quota;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides how many nodes a scale-up may add without exceeding the region's quotas, the way Azure ML accounts them:
 * dedicated nodes count against their VM family's cores and the region's total cores; low-priority nodes count against
 * the one low-priority total. A series that needs approval with no approved quota (its family's limit is absent or 0)
 * adds nothing and waits for approval. A quota that is not known (absent from {@code limits}) does not limit. Gang
 * units ({@link QuotaRequest#units()}) are admitted whole, in order: the first that does not fit stops the admission
 * (nothing after it is added, so a later job does not jump the queue), and the wait says so.
 * Pure: no clock, no I/O.
 */
public final class QuotaPlanner {
    /** Azure's name for the region's low-priority (Spot) cores, one total for every family. */
    public static final String LOW_PRIORITY = "lowPriorityCores";
    /** Azure's name for the region's total (dedicated) cores. */
    public static final String TOTAL = "cores";

    private QuotaPlanner() {}

    /**
     * @param limits the region's quotas by name (families, {@link #LOW_PRIORITY}, {@link #TOTAL})
     */
    public static QuotaDecision plan(QuotaRequest request, Map<String, CoreLimit> limits) {
        if (request.nodes() == 0) {
            return QuotaDecision.all(0);
        }
        CoreLimit family = limits.get(request.family());
        if (request.approvalRequired() && (family == null || family.limit() == 0)) {
            return new QuotaDecision(
                    0,
                    new QuotaDecision.Wait(
                            QuotaDecision.Kind.APPROVAL,
                            request.series(),
                            request.family(),
                            family == null ? 0 : family.used(),
                            0,
                            "waiting for approval of " + request.series() + " (quota " + request.family()
                                    + " has no approved cores; request a quota increase for the series)"));
        }
        List<CoreLimit> applying = new ArrayList<>();
        if (request.lowPriority()) {
            add(applying, limits.get(LOW_PRIORITY));
        } else {
            add(applying, family);
            add(applying, limits.get(TOTAL));
        }
        int fits = request.nodes();
        CoreLimit binding = null;
        for (CoreLimit l : applying) {
            int room = l.free() / request.coresPerNode();
            if (room < fits) {
                fits = room;
                binding = l;
            }
        }
        if (binding == null) {
            return QuotaDecision.all(fits);
        }
        int allowed = 0;
        Integer refused = null;
        int inUnits = 0;
        for (int unit : request.units()) {
            inUnits += unit;
            if (refused == null && allowed + unit <= fits) {
                allowed += unit;
            } else if (refused == null) {
                refused = unit;
            }
        }
        if (refused == null) {
            allowed += Math.min(request.nodes() - inUnits, fits - allowed);
        }
        String message = "waiting for quota: " + binding.name() + " uses " + binding.used() + " of " + binding.limit()
                + " cores";
        if (refused != null && fits - allowed == 0) {
            refused = null; // nothing would fit anyway: the quota alone says why
        }
        if (refused != null) {
            message += gangClause(refused, fits - allowed);
        }
        return new QuotaDecision(
                allowed,
                new QuotaDecision.Wait(
                        QuotaDecision.Kind.QUOTA,
                        request.series(),
                        binding.name(),
                        binding.used(),
                        binding.limit(),
                        message,
                        refused,
                        refused == null ? null : fits - allowed));
    }

    /** "; a gang of 4 nodes must fit whole, room for 3" (the wait reason renders the same words). */
    public static String gangClause(int gang, int room) {
        return "; a gang of " + gang + " nodes must fit whole, room for " + room;
    }

    private static void add(List<CoreLimit> list, CoreLimit limit) {
        if (limit != null) {
            list.add(limit);
        }
    }
}
