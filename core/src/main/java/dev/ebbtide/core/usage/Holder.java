package dev.ebbtide.core.usage;

/**
 * Who a node's time is counted to: a job (with its team and the user who submitted it), or nobody ({@link #IDLE}:
 * the time is the cluster's idle time).
 *
 * @param jobId null for idle time
 * @param team  the job's team, null when unknown (a job this scheduler has no row for)
 * @param user  who submitted the job, null when unknown
 */
public record Holder(String jobId, String team, String user) {
    /** Nobody: booting, idle, leaving or lost nodes, and running nodes without a job the scheduler knows. */
    public static final Holder IDLE = new Holder(null, null, null);

    public boolean idle() {
        return jobId == null;
    }
}
