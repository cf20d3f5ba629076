package dev.ebbtide.core.lifecycle;

import dev.ebbtide.core.lifecycle.JobEvent.CancelAsked;
import dev.ebbtide.core.lifecycle.JobEvent.NodeLost;
import dev.ebbtide.core.lifecycle.JobEvent.Placed;
import dev.ebbtide.core.lifecycle.JobEvent.Preempted;
import dev.ebbtide.core.lifecycle.JobEvent.RankExited;
import dev.ebbtide.core.lifecycle.JobEvent.RankStarted;
import dev.ebbtide.core.lifecycle.JobEvent.Rejected;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A job's life after it is queued: {@code (job, event, now) → outcome}. Pure: no I/O, no clock.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>Attempts.</b> Each placement starts a new attempt (1, 2, …). A report naming another attempt than the
 *       current one changes nothing (a late report of an old attempt never counts for the new one).</li>
 *   <li><b>Requeue.</b> A node lost (preempted, unusable, lost, leaving, deleted) or an assignment rejected while the
 *       job is on its nodes sends the job back to the queue and asks its other nodes to stop. Each of these
 *       requeue paths counts against {@code maxAttempts}: a job whose attempt {@code maxAttempts} ends this way fails, with the
 *       reason, instead of looping.</li>
 *   <li><b>Exit per rank.</b> The job ends when every rank exited: {@code Completed} if every code was 0, else
 *       {@code Failed} with the first non-zero code and the node that returned it. A rank reported twice counts once.</li>
 *   <li><b>Cancel.</b> A queued job is canceled at once; a placed one is asked to stop on all its nodes
 *       ({@code CancelRequested}) and is {@code Canceled} once no node holds it any more. An ended job cannot be
 *       canceled.</li>
 *   <li><b>Preemption.</b> A job on its nodes that is preempted (another team reclaims its quota) is asked to stop on
 *       all of them and goes back to the queue with the reason and the attempt that ended. It is never failed for it:
 *       a preemption is not the job's fault, so it does not end the job at {@code maxAttempts} (a later lost node
 *       still counts the attempts it has had). Its nodes stay given to the attempt until they report it exited.</li>
 * </ol>
 */
public final class JobLifecycle {
    private final int maxAttempts;

    public JobLifecycle(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Outcome apply(JobSnapshot job, JobEvent event, Instant now) {
        Draft d = new Draft(job, now);
        if (event instanceof Placed p) {
            placed(d, p);
        } else if (event instanceof RankStarted s) {
            if (current(job, s.attempt()) && job.phase() == JobPhase.Preparing) {
                d.startedAt = s.at() != null ? s.at() : now;
                d.transition(JobPhase.Running, null);
            }
        } else if (event instanceof RankExited e) {
            exited(d, e);
        } else if (event instanceof Rejected r) {
            if (current(job, r.attempt())) {
                String what = "node " + r.node() + " rejected the assignment"
                        + (r.reason() == null ? "" : " (" + r.reason() + ")");
                onNodeGone(d, r.node(), what);
            }
        } else if (event instanceof NodeLost l) {
            if (current(job, l.attempt())) {
                String what = "node " + l.node() + " was " + l.how()
                        + (job.phase() == JobPhase.Running ? " while running the job" : " before the job started");
                onNodeGone(d, l.node(), what);
            }
        } else if (event instanceof Preempted p) {
            if (job.phase().isOnNodes()) {
                d.stops.add(new Outcome.Stop(d.nodes, d.attempt, p.reason()));
                d.nodes = List.of();
                d.transition(JobPhase.Queued, p.reason() + "; requeued (attempt " + d.attempt + " stopped)");
            }
        } else if (event instanceof CancelAsked c) {
            cancel(d, c.reason());
        }
        return d.outcome();
    }

    private static boolean current(JobSnapshot job, Integer attempt) {
        return !job.phase().isTerminal() && (attempt == null || attempt == job.attempt());
    }

    private static void placed(Draft d, Placed p) {
        if (d.phase != JobPhase.Queued) {
            return;
        }
        d.attempt += 1;
        d.nodes = p.nodes();
        d.exitedRanks.clear();
        d.exitCode = null;
        d.outputLocation = null;
        d.transition(JobPhase.Preparing, null);
    }

    private void onNodeGone(Draft d, String node, String what) {
        if (d.phase == JobPhase.CancelRequested) {
            finishCancelIfStopped(d);
        } else if (d.phase.isOnNodes()) {
            List<String> others = d.nodes.stream().filter(n -> !n.equals(node)).toList();
            if (!others.isEmpty()) {
                d.stops.add(new Outcome.Stop(others, d.attempt, what));
            }
            requeue(d, what);
        }
    }

    /** Back to the queue, or Failed once the job has had its {@code maxAttempts}: the cap holds on every path. */
    private void requeue(Draft d, String what) {
        d.nodes = List.of();
        if (d.attempt >= maxAttempts) {
            d.endedAt = d.now;
            d.transition(JobPhase.Failed, what + "; gave up after " + d.attempt + " attempts");
        } else {
            d.transition(JobPhase.Queued, what + "; requeued (attempt " + d.attempt + " of " + maxAttempts + ")");
        }
    }

    private static void exited(Draft d, RankExited e) {
        if (!current(d.before, e.attempt())) {
            return;
        }
        if (d.phase == JobPhase.CancelRequested) {
            finishCancelIfStopped(d);
            return;
        }
        if (!d.phase.isOnNodes() || !d.exitedRanks.add(e.rank())) {
            return; // requeued meanwhile, or a redelivered report
        }
        int code = e.exitCode() == null ? -1 : e.exitCode();
        if (d.exitCode == null || d.exitCode == 0) {
            d.exitCode = code;
            if (code != 0) {
                d.reason = "node " + e.node() + " exited with code " + code
                        + (e.reason() == null ? "" : " (" + e.reason() + ")");
            }
        }
        if (e.outputPath() != null && d.outputLocation == null) {
            d.outputLocation = parentOf(e.outputPath());
        }
        if (d.exitedRanks.size() >= d.before.instanceCount()) {
            if (d.startedAt == null) {
                d.startedAt = e.at();
            }
            d.endedAt = e.at() != null ? e.at() : d.now;
            if (d.exitCode == 0) {
                d.transition(JobPhase.Completed, null);
            } else {
                d.transition(JobPhase.Failed, d.reason);
            }
        }
    }

    private static void cancel(Draft d, String reason) {
        if (d.phase.isTerminal()) {
            d.refusal = "job " + d.before.jobId() + " already ended: " + d.phase;
        } else if (d.phase == JobPhase.Queued || d.phase == JobPhase.NotStarted) {
            d.endedAt = d.now;
            d.transition(JobPhase.Canceled, reason);
        } else if (d.phase != JobPhase.CancelRequested) {
            d.transition(JobPhase.CancelRequested, reason);
            d.stops.add(new Outcome.Stop(d.nodes, d.attempt, reason));
        }
    }

    private static void finishCancelIfStopped(Draft d) {
        if (d.before.nodesHolding() == 0) {
            d.endedAt = d.now;
            d.transition(JobPhase.Canceled, d.reason);
        }
    }

    /** {@code /work/job/node-0.log} → {@code /work/job}. */
    static String parentOf(String path) {
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        int slash = p.lastIndexOf('/');
        if (slash < 0) {
            return path;
        }
        return slash == 0 ? "/" : p.substring(0, slash);
    }

    /** The job being changed. */
    private static final class Draft {
        final JobSnapshot before;
        final Instant now;
        JobPhase phase;
        String reason;
        int attempt;
        List<String> nodes;
        final Set<Integer> exitedRanks;
        Integer exitCode;
        String outputLocation;
        Instant startedAt;
        Instant endedAt;
        String refusal;
        final List<Outcome.Transition> transitions = new ArrayList<>();
        final List<Outcome.Stop> stops = new ArrayList<>();

        Draft(JobSnapshot job, Instant now) {
            before = job;
            this.now = now;
            phase = job.phase();
            reason = job.reason();
            attempt = job.attempt();
            nodes = job.nodes();
            exitedRanks = new TreeSet<>(job.exitedRanks());
            exitCode = job.exitCode();
            outputLocation = job.outputLocation();
            startedAt = job.startedAt();
            endedAt = job.endedAt();
        }

        void transition(JobPhase to, String why) {
            transitions.add(new Outcome.Transition(phase, to, why, now));
            phase = to;
            reason = why;
        }

        Outcome outcome() {
            JobSnapshot after = new JobSnapshot(
                    before.jobId(),
                    phase,
                    reason,
                    before.instanceCount(),
                    attempt,
                    nodes,
                    exitedRanks,
                    exitCode,
                    outputLocation,
                    startedAt,
                    endedAt,
                    before.nodesHolding());
            return new Outcome(after, transitions, stops, refusal);
        }
    }
}
