package dev.ebbtide.agent;

import dev.ebbtide.agent.plan.RunPlan;
import dev.ebbtide.common.events.JobAssigned;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Future;

/**
 * This node's part of one job attempt: its phase, its processes, its limits.timeout deadline and, once asked to stop,
 * why and when SIGKILL follows. The node is busy (the attempt is in its heartbeats) in every phase.
 */
final class NodeRun {
    /**
     * {@code STAGING}: code and inputs are fetched (no process yet, the job shows Preparing); {@code RUNNING}: the
     * ranks run; {@code UPLOADING}: they ended and their outputs, artifacts and logs are uploaded.
     */
    enum Phase {
        STAGING,
        RUNNING,
        UPLOADING
    }

    /**
     * What is kept on disk ({@code ranks/<job>#<attempt>.run}) so a restarted agent can adopt or report the run;
     * {@code phase} is absent in files from before phases existed (= running).
     */
    record Saved(JobAssigned assignment, int nodeRank, Instant startedAt, Phase phase) {
        Saved with(Phase p) {
            return new Saved(assignment, nodeRank, startedAt, p);
        }
    }

    final String key;
    final JobAssigned assignment;
    final int nodeRank;
    final Instant deadline;
    Saved saved;
    Phase phase;
    List<RankProcess> processes;
    /** The staging work (returns the plan) or the upload work (returns null or a failure's sentence). */
    Future<?> work;

    RunPlan plan;
    String stopReason;
    Integer forcedCode;
    Instant killAt;
    boolean killed;
    /** Once the ranks ended: the node's code and reason, reported when the uploads end. */
    Integer endCode;

    String endReason;

    NodeRun(Saved saved, List<RankProcess> processes) {
        this.saved = saved;
        this.assignment = saved.assignment();
        this.key = Handled.attemptKey(assignment);
        this.nodeRank = saved.nodeRank();
        this.processes = List.copyOf(processes);
        this.phase = saved.phase() == null ? Phase.RUNNING : saved.phase();
        Long timeout = assignment.spec().timeoutSeconds();
        this.deadline =
                timeout == null || timeout <= 0 ? null : saved.startedAt().plusSeconds(timeout);
    }

    int attempt() {
        return RankEnvironment.attempt(assignment);
    }

    boolean stopping() {
        return stopReason != null;
    }

    /**
     * The node's exit code: the forced one (124 on timeout), else the first non-zero code in local rank order, else
     * 0; null when a process is lost (no code known).
     */
    Integer exitCode() {
        if (forcedCode != null) {
            return forcedCode;
        }
        boolean lost = false;
        for (RankProcess p : processes) {
            if (p.exitCode() == null) {
                lost = true;
            } else if (p.exitCode() != 0) {
                return p.exitCode();
            }
        }
        return lost ? null : 0;
    }
}
