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
 * jobs/&lt;job&gt;/attempt-&lt;a&gt;/rank-&lt;r&gt;.log          stdout + stderr of rank r (always here; the rest of
 *                                              jobs/ moves to the jobs root when the job user cannot reach it)
 * jobs/&lt;job&gt;/attempt-&lt;a&gt;/rank-&lt;r&gt;/             its work directory (cwd, HOME, EBBTIDE_WORK_DIR)
 * jobs/&lt;job&gt;/attempt-&lt;a&gt;/hostfile              mpi host file (EBBTIDE_HOSTFILE)
 * jobs/&lt;job&gt;/attempt-&lt;a&gt;/inputs/&lt;name&gt;/     a data input, fetched before the ranks start
 * jobs/&lt;job&gt;/attempt-&lt;a&gt;/outputs/&lt;name&gt;/    an output folder, uploaded when the ranks end
 * jobs/&lt;job&gt;/attempt-&lt;a&gt;/bin/                 python links of a mapped host Python
 * </pre>
 */
public record Layout(Path root, Path jobs) {

    /** The jobs' folders under {@code root/jobs}. */
    public Layout(Path root) {
        this(root, root.resolve("jobs"));
    }

    /** The same layout with the jobs' folders under {@code jobsRoot} (a root agent whose work dir the job user cannot reach). */
    public Layout withJobsRoot(Path jobsRoot) {
        return new Layout(root, jobsRoot);
    }

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
        return jobs.resolve(jobId).resolve("attempt-" + attempt);
    }

    /** Where data input {@code name} is fetched (bound read-only at {@code /mnt/azureml/inputs/<name>}). */
    public Path inputDir(String jobId, int attempt, String name) {
        return attemptDir(jobId, attempt).resolve("inputs").resolve(name);
    }

    /** Output {@code name}'s folder on this node (bound at {@code /mnt/azureml/outputs/<name>}). */
    public Path outputDir(String jobId, int attempt, String name) {
        return attemptDir(jobId, attempt).resolve("outputs").resolve(name);
    }

    /** The {@code python}/{@code python3} links of a mapped host Python (bound at {@code /mnt/azureml/bin}). */
    public Path binDir(String jobId, int attempt) {
        return attemptDir(jobId, attempt).resolve("bin");
    }

    public Path rankDir(String jobId, int attempt, int rank) {
        return attemptDir(jobId, attempt).resolve("rank-" + rank);
    }

    /**
     * Rank {@code rank}'s output. Always below the work dir, also when the jobs' folders moved to a jobs root: only
     * the agent's side writes it (the wrapper's redirect), no sandbox binds it, and the local provider, the tests and
     * an operator find it where the node is.
     */
    public Path logFile(String jobId, int attempt, int rank) {
        return root.resolve("jobs").resolve(jobId).resolve("attempt-" + attempt).resolve("rank-" + rank + ".log");
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

    /** A container rank's {@code --env-file} (0600, in the agent's own {@code ranks/}: no job sees it). */
    public Path envFile(String rankKey) {
        return ranks().resolve(rankKey + ".env");
    }

    public Path logPosFile(String rankKey) {
        return ranks().resolve(rankKey + ".logpos");
    }

    /** {@code <job>#<attempt>#<rank>}: names a process of a job attempt. */
    public static String rankKey(String jobId, int attempt, int rank) {
        return jobId + "#" + attempt + "#" + rank;
    }
}
