package dev.ebbtide.core.quota;

/**
 * How many of the requested nodes may be added now, and why not more.
 *
 * @param allowedNodes nodes that fit in every quota that applies (0 to the requested count)
 * @param waiting      null when all requested nodes fit
 */
public record QuotaDecision(int allowedNodes, Wait waiting) {

    public enum Kind {
        /** A quota would be exceeded: wait until cores are freed or the limit is raised. */
        QUOTA,
        /** The series needs approval and none was given (its family's limit is 0). */
        APPROVAL
    }

    /**
     * @param series  the VM series asked for (e.g. NDv2)
     * @param quota   the binding quota's name (a family, {@code lowPriorityCores} or {@code cores})
     * @param message one sentence, e.g. "waiting for quota: standardNCSv3Family uses 18 of 24 cores"
     * @param gang    the nodes of the gang unit that did not fit whole; null when no unit was refused
     * @param room    how many nodes the quota had room for then; null when no unit was refused
     */
    public record Wait(
            Kind kind, String series, String quota, int used, int limit, String message, Integer gang, Integer room) {
        public Wait(Kind kind, String series, String quota, int used, int limit, String message) {
            this(kind, series, quota, used, limit, message, null, null);
        }
    }

    public static QuotaDecision all(int nodes) {
        return new QuotaDecision(nodes, null);
    }

    public boolean waits() {
        return waiting != null;
    }
}
