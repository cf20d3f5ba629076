package dev.ebbtide.agent;

import dev.ebbtide.common.events.JobAssigned;
import java.time.Instant;
import java.util.List;

/**
 * This node's part of one job attempt: its processes, its limits.timeout deadline and, once asked to stop, why and
 * when SIGKILL follows.
 */
final class NodeRun {
    /** What is kept on disk ({@code ranks/<job>#<attempt>.run}) so a restarted agent can adopt or report the run. */
    record Saved(JobAssigned assignment, int nodeRank, Instant startedAt) {}

    final String key;
    final JobAssigned assignment;
    final int nodeRank;
    final List<RankProcess> processes;
    final Instant deadline;
    String stopReason;
    Integer forcedCode;
    Instant killAt;
    boolean killed;

    NodeRun(Saved saved, List<RankProcess> processes) {
        this.assignment = saved.assignment();
        this.key = Handled.attemptKey(assignment);
        this.nodeRank = saved.nodeRank();
        this.processes = List.copyOf(processes);
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
