package dev.ebbtide.provisioner.cloud.local;

import dev.ebbtide.common.events.JobSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * The local node agent: runs a job's command as a real OS process, once per node, in a working directory of its own
 * ({@code <work-dir>/<job>/rank-<r>}), with {@code NODE_RANK}, {@code NODE_COUNT} and the job's environment, writing
 * stdout and stderr to {@code <work-dir>/<job>/node-<r>.log}.
 */
public final class LocalJobRunner {
    private static final Logger LOG = Logger.getLogger(LocalJobRunner.class);
    private final Path workDir;
    private final Map<String, Process> running = new ConcurrentHashMap<>();

    public LocalJobRunner(Path workDir) {
        this.workDir = workDir.toAbsolutePath();
    }

    /** The file a node's output goes to. */
    public Path outputFile(String jobId, int rank) {
        return workDir.resolve(jobId).resolve("node-" + rank + ".log");
    }

    /**
     * Starts rank {@code rank} of {@code nodeCount}; {@code onExit} gets the exit code and, when Ebbtide ended or
     * could not start the command, why (-1 if it could not start,
     * 124 if it hit {@code limits.timeout}).
     */
    public void start(String jobId, String node, int rank, int nodeCount, JobSpec spec, BiConsumer<Integer, String> onExit) {
        try {
            Path dir = workDir.resolve(jobId).resolve("rank-" + rank);
            Files.createDirectories(dir);
            ProcessBuilder pb = new ProcessBuilder(List.of("/bin/sh", "-c", spec.command()))
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(outputFile(jobId, rank).toFile());
            Map<String, String> env = pb.environment();
            env.putAll(spec.environmentVariables());
            env.put("NODE_RANK", String.valueOf(rank));
            env.put("NODE_COUNT", String.valueOf(nodeCount));
            env.put("EBBTIDE_JOB_ID", jobId);
            env.put("EBBTIDE_NODE", node);
            Process process = pb.start();
            running.put(node, process);
            var exit = process.onExit();
            if (spec.timeoutSeconds() != null && spec.timeoutSeconds() > 0) {
                exit = exit.orTimeout(spec.timeoutSeconds(), TimeUnit.SECONDS);
            }
            exit.whenComplete((p, timeout) -> {
                running.remove(node);
                if (timeout != null) {
                    terminate(process);
                    onExit.accept(124, "limits.timeout of " + spec.timeoutSeconds() + " s reached: stopped");
                } else {
                    onExit.accept(p.exitValue(), null);
                }
            });
        } catch (IOException e) {
            LOG.errorf("job %s rank %d could not start on %s: %s", jobId, rank, node, e.getMessage());
            onExit.accept(-1, "could not start the command: " + e.getMessage());
        }
    }

    /**
     * Terminates the command a node runs and everything it started (SIGTERM, then SIGKILL after 10 s); its exit is
     * reported as usual.
     */
    public void stop(String node) {
        Process p = running.get(node);
        if (p != null) {
            terminate(p);
        }
    }

    private static void terminate(Process p) {
        List<ProcessHandle> tree = p.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        p.destroy();
        p.onExit().orTimeout(10, TimeUnit.SECONDS).whenComplete((x, timeout) -> {
            if (timeout != null) {
                tree.forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        });
    }

    /** Stops every process this agent started (at shutdown). */
    public void stopAll() {
        running.values().forEach(LocalJobRunner::terminate);
    }
}
