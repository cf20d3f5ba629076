package dev.ebbtide.agent;

import java.nio.file.Path;

/**
 * Where the agent keeps things under its work directory (the node's directory). The local provider reads
 * {@code agent.pid} and {@code ranks/*.pgid} to kill everything when it deletes the node.
 *
 * <pre>
 * agent.pid                                    the agent's pid
 * handled                                      one line per assignment key handled or stopped (never run twice)
 * ranks/&lt;job&gt;#&lt;attempt&gt;#&lt;rank&gt;.pgid           process group of a running rank (deleted when it is gone)
 * ranks/&lt;job&gt;#&lt;attempt&gt;#&lt;rank&gt;.exit           its exit code, written by the wrapper
 * ranks/&lt;job&gt;#&lt;attempt&gt;#&lt;rank&gt;.logpos         log chunks shipped so far: "seq offset"
 * jobs/&lt;job&gt;/attempt-&lt;a&gt;/rank-&lt;r&gt;.log          stdout + stderr of rank r
 * jobs/&lt;job&gt;/attempt-&lt;a&gt;/rank-&lt;r&gt;/             its work directory (cwd, HOME, EBBTIDE_WORK_DIR)
 * jobs/&lt;job&gt;/attempt-&lt;a&gt;/hostfile              mpi host file (EBBTIDE_HOSTFILE)
 * </pre>
 */
public record Layout(Path root) {

    public Path agentPid() {
        return root.resolve("agent.pid");
    }

    public Path handled() {
        return root.resolve("handled");
    }

    public Path ranks() {
        return root.resolve("ranks");
    }

    public Path attemptDir(String jobId, int attempt) {
        return root.resolve("jobs").resolve(jobId).resolve("attempt-" + attempt);
    }

    public Path rankDir(String jobId, int attempt, int rank) {
        return attemptDir(jobId, attempt).resolve("rank-" + rank);
    }

    public Path logFile(String jobId, int attempt, int rank) {
        return attemptDir(jobId, attempt).resolve("rank-" + rank + ".log");
    }

    public Path hostfile(String jobId, int attempt) {
        return attemptDir(jobId, attempt).resolve("hostfile");
    }

    public Path pgidFile(String rankKey) {
        return ranks().resolve(rankKey + ".pgid");
    }

    public Path exitFile(String rankKey) {
        return ranks().resolve(rankKey + ".exit");
    }

    public Path logPosFile(String rankKey) {
        return ranks().resolve(rankKey + ".logpos");
    }

    /** {@code <job>#<attempt>#<rank>}: names a process of a job attempt. */
    public static String rankKey(String jobId, int attempt, int rank) {
        return jobId + "#" + attempt + "#" + rank;
    }
}
