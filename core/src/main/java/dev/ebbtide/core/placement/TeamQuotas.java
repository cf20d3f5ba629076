package dev.ebbtide.core.placement;

import dev.ebbtide.core.placement.FairShare.Dimension;
import dev.ebbtide.core.placement.FairShare.Resources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Teams' nominal quotas on one cluster, borrowing within a cohort, and reclaiming lent capacity (Kueue's ClusterQueue,
 * cohort and {@code borrowingLimit} model, per cluster). Pure: no I/O, no clock.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>Nominal quota.</b> A team with a {@link Quota} may use its nominal cores and GPUs on the cluster. What it
 *       uses is what its jobs hold on the cluster now (jobs that are stopping included) plus its jobs admitted before
 *       in this pass. A team without a quota is not limited (and lends nothing, and is never reclaimed from).</li>
 *   <li><b>Borrowing.</b> A job that would take its team beyond its nominal quota is admitted only if the team is in a
 *       cohort, what it uses beyond its nominal stays within its borrowing limit ({@code null}: no limit but the
 *       cohort's), and the cohort's members together stay within the sum of their nominal quotas: a team borrows only
 *       what the others of its cohort leave unused, never beyond the cohort.</li>
 *   <li><b>Waiting.</b> A job not admitted waits with a {@link Wait}, e.g. {@code waiting: team vision uses 32 of 32
 *       cores; it may borrow 0 more}. Jobs after it are still considered (best effort: a smaller job of the team, or
 *       another team's job, may go).</li>
 *   <li><b>Reclaim.</b> The <em>head</em> is the first admitted job that does not fit in the free nodes left by the
 *       admitted jobs before it. If it is within its team's nominal quota, and the nodes it misses are not already
 *       coming (nodes the cluster may still add, jobs already stopping), the running jobs of the other teams of its
 *       cohort that borrow (use more than their nominal) are preempted, newest first, while their team still borrows,
 *       until enough nodes are freed; then each picked job not needed to free enough is given back (last picked
 *       first), so exactly what is needed is reclaimed. If all the borrowing jobs together do not free enough, none is
 *       preempted.</li>
 * </ol>
 */
public final class TeamQuotas {
    private TeamQuotas() {}

    /**
     * A team's quota on a cluster.
     *
     * @param cores               nominal cores
     * @param gpus                nominal GPUs
     * @param cohort              the cohort it borrows from and lends to, or null (it neither borrows nor lends)
     * @param borrowingLimitCores most cores it may use beyond {@code cores}, or null (only the cohort limits it)
     * @param borrowingLimitGpus  most GPUs it may use beyond {@code gpus}, or null (only the cohort limits it)
     */
    public record Quota(long cores, long gpus, String cohort, Long borrowingLimitCores, Long borrowingLimitGpus) {
        public Quota {
            if (cores < 0 || gpus < 0) {
                throw new IllegalArgumentException(
                        "a quota cannot be negative: " + cores + " core(s), " + gpus + " GPU(s)");
            }
            if ((borrowingLimitCores != null && borrowingLimitCores < 0)
                    || (borrowingLimitGpus != null && borrowingLimitGpus < 0)) {
                throw new IllegalArgumentException("a borrowing limit cannot be negative");
            }
            cohort = cohort == null || cohort.isBlank() ? null : cohort.trim();
        }

        /** A quota outside any cohort. */
        public static Quota of(long cores, long gpus) {
            return new Quota(cores, gpus, null, null, null);
        }

        long nominal(Dimension d) {
            return d == Dimension.GPUS ? gpus : cores;
        }

        /** Null: no limit. */
        Long borrowingLimit(Dimension d) {
            return d == Dimension.GPUS ? borrowingLimitGpus : borrowingLimitCores;
        }

        boolean exceeded(Resources using) {
            return using.cores() > cores || using.gpus() > gpus;
        }
    }

    /**
     * A job holding nodes on the cluster.
     *
     * @param jobId     the job
     * @param team      its team
     * @param nodes     the nodes it holds
     * @param startedAt when it was placed (newest is preempted first), or null when unknown (counted as newest)
     * @param stopping  asked to stop already (preempted or canceled): its nodes are coming free, it is not preempted
     *                  again
     */
    public record Running(String jobId, String team, int nodes, Instant startedAt, boolean stopping) {
        public Running {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(team, "team");
        }
    }

    /**
     * Why a job waits for its team's quota.
     *
     * @param team      the team
     * @param dimension the resource that is short (cores or GPUs)
     * @param used      what the team uses of it (holds now, plus its jobs admitted before in the pass)
     * @param nominal   the team's nominal quota of it
     * @param mayBorrow how much more of it the team may still use beyond its nominal (limit and cohort)
     * @param needs     what the job needs of it
     */
    public record Wait(String team, Dimension dimension, long used, long nominal, long mayBorrow, long needs) {
        /** E.g. {@code waiting: team vision uses 32 of 32 cores; it may borrow 0 more}. */
        public String sentence() {
            String s = "waiting: team " + team + " uses " + used + " of " + nominal + " " + dimension.word()
                    + "; it may borrow " + mayBorrow + " more";
            return mayBorrow > 0 ? s + ", the job needs " + needs : s;
        }
    }

    /**
     * Jobs to preempt so that a team gets its nominal quota back.
     *
     * @param team    the team reclaiming
     * @param jobId   its job that needs the nodes (the head)
     * @param preempt the borrowing jobs to stop and requeue, in the order picked (newest first)
     */
    public record Reclaim(String team, String jobId, List<Running> preempt) {
        public Reclaim {
            preempt = List.copyOf(preempt);
        }

        /** The reason a preempted job shows: {@code preempted: reclaimed by team vision}. */
        public String reason() {
            return "preempted: reclaimed by team " + team;
        }
    }

    /**
     * What the quotas allow in one placement pass.
     *
     * @param admitted the jobs that may start, in the order given
     * @param waiting  by job id, why each job not admitted waits
     * @param reclaim  the jobs to preempt for the head, or null
     */
    public record Decision(List<WaitingJob> admitted, Map<String, Wait> waiting, Reclaim reclaim) {
        public Decision {
            admitted = List.copyOf(admitted);
            waiting = Collections.unmodifiableMap(new LinkedHashMap<>(waiting));
        }
    }

    /**
     * Decides which jobs of a cluster's queue the teams' quotas admit, and what to reclaim.
     *
     * @param ordered   the cluster's waiting jobs in the order they are considered (e.g. {@link FairShare#order})
     * @param running   the jobs holding the cluster's nodes
     * @param quotas    each team's quota on this cluster (a team not in it is not limited)
     * @param perNode   one node's cores and GPUs (a job of n nodes uses n times this)
     * @param freeNodes the cluster's free nodes now
     * @param growable  nodes the cluster may still add (its maximum minus the nodes it has)
     */
    public static Decision plan(
            List<WaitingJob> ordered,
            List<Running> running,
            Map<String, Quota> quotas,
            Resources perNode,
            int freeNodes,
            int growable) {
        Map<String, Resources> held = new HashMap<>();
        int stoppingNodes = 0;
        for (Running r : running) {
            held.merge(r.team(), perNode.times(r.nodes()), Resources::plus);
            stoppingNodes += r.stopping() ? r.nodes() : 0;
        }
        Map<String, Resources> used = new HashMap<>(held);
        Map<String, Resources> cohortNominal = new HashMap<>();
        Map<String, Resources> cohortUsed = new HashMap<>();
        quotas.forEach((team, q) -> {
            if (q.cohort() != null) {
                cohortNominal.merge(q.cohort(), new Resources(0, q.cores(), q.gpus()), Resources::plus);
                cohortUsed.merge(q.cohort(), used.getOrDefault(team, Resources.NONE), Resources::plus);
            }
        });

        List<WaitingJob> admitted = new ArrayList<>();
        Map<String, Wait> waiting = new LinkedHashMap<>();
        int free = freeNodes;
        WaitingJob head = null;
        boolean headWithinNominal = false;
        for (WaitingJob job : ordered) {
            Quota q = quotas.get(job.team());
            Resources need = perNode.times(job.nodes());
            boolean withinNominal = true;
            if (q != null) {
                Resources u = used.getOrDefault(job.team(), Resources.NONE);
                Resources after = u.plus(need);
                withinNominal = !q.exceeded(after);
                if (!withinNominal) {
                    Wait w = borrowWait(job.team(), q, u, need, cohortNominal, cohortUsed);
                    if (w != null) {
                        waiting.put(job.jobId(), w);
                        continue;
                    }
                }
                used.put(job.team(), after);
                if (q.cohort() != null) {
                    cohortUsed.merge(q.cohort(), need, Resources::plus);
                }
            }
            admitted.add(job);
            if (head == null) {
                if (job.nodes() <= free) {
                    free -= job.nodes();
                } else {
                    head = job;
                    headWithinNominal = q != null && withinNominal;
                }
            }
        }
        Reclaim reclaim = null;
        if (head != null && headWithinNominal) {
            int missing = head.nodes() - free - Math.max(0, growable) - stoppingNodes;
            reclaim = reclaim(head, missing, running, quotas, held, perNode);
        }
        return new Decision(admitted, waiting, reclaim);
    }

    /** Null if the team may borrow {@code need} beyond its nominal quota, else why not. */
    private static Wait borrowWait(
            String team,
            Quota q,
            Resources u,
            Resources need,
            Map<String, Resources> cohortNominal,
            Map<String, Resources> cohortUsed) {
        for (Dimension d : List.of(Dimension.CORES, Dimension.GPUS)) {
            long usedD = amount(u, d);
            long needD = amount(need, d);
            long nominal = q.nominal(d);
            if (usedD + needD <= nominal) {
                continue;
            }
            long mayBorrow = 0;
            if (q.cohort() != null) {
                long borrowed = Math.max(0, usedD - nominal);
                long limitLeft = q.borrowingLimit(d) == null ? Long.MAX_VALUE : q.borrowingLimit(d) - borrowed;
                long cohortLeft = amount(cohortNominal.get(q.cohort()), d)
                        - amount(cohortUsed.get(q.cohort()), d)
                        - Math.max(0, nominal - usedD); // its own unused part is not borrowed
                mayBorrow = Math.max(0, Math.min(limitLeft, cohortLeft));
            }
            long beyond = usedD + needD - nominal - Math.max(0, usedD - nominal);
            if (beyond > mayBorrow || q.cohort() == null) {
                return new Wait(team, d, usedD, nominal, mayBorrow, needD);
            }
        }
        return null;
    }

    /** Newest borrowing jobs of the head's cohort first, then the fill-back; null when nothing is to be preempted. */
    private static Reclaim reclaim(
            WaitingJob head,
            int missing,
            List<Running> running,
            Map<String, Quota> quotas,
            Map<String, Resources> held,
            Resources perNode) {
        String cohort = quotas.get(head.team()).cohort();
        if (missing <= 0 || cohort == null) {
            return null;
        }
        List<Running> candidates = new ArrayList<>();
        for (Running r : running) {
            Quota q = quotas.get(r.team());
            if (!r.stopping() && !r.team().equals(head.team()) && q != null && cohort.equals(q.cohort())) {
                candidates.add(r);
            }
        }
        candidates.sort(NEWEST_FIRST);
        Map<String, Resources> left = new HashMap<>(held);
        List<Running> picked = new ArrayList<>();
        int freed = 0;
        for (Running r : candidates) {
            if (freed >= missing) {
                break;
            }
            Resources u = left.getOrDefault(r.team(), Resources.NONE);
            if (!quotas.get(r.team()).exceeded(u)) {
                continue; // its team no longer borrows
            }
            picked.add(r);
            freed += r.nodes();
            Resources rest = perNode.times(r.nodes());
            left.put(
                    r.team(),
                    new Resources(
                            Math.max(0, u.nodes() - rest.nodes()),
                            Math.max(0, u.cores() - rest.cores()),
                            Math.max(0, u.gpus() - rest.gpus())));
        }
        if (freed < missing) {
            return null;
        }
        for (int i = picked.size() - 2; i >= 0; i--) { // give back what is not needed (the last pick is)
            if (freed - picked.get(i).nodes() >= missing) {
                freed -= picked.get(i).nodes();
                picked.remove(i);
            }
        }
        return new Reclaim(head.team(), head.jobId(), picked);
    }

    private static final Comparator<Running> NEWEST_FIRST = Comparator.comparing(
                    (Running r) -> r.startedAt() == null ? Instant.MAX : r.startedAt(), Comparator.reverseOrder())
            .thenComparing(Running::jobId, Comparator.reverseOrder());

    private static long amount(Resources r, Dimension d) {
        if (r == null) {
            return 0;
        }
        return d == Dimension.GPUS ? r.gpus() : r.cores();
    }
}
