package dev.ebbtide.agent;

import dev.ebbtide.agent.sandbox.Sandbox;
import dev.ebbtide.agent.sandbox.SandboxRuntime;
import dev.ebbtide.common.events.Distribution;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.NodeAgentStatus.RunningRank;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts, watches, stops and adopts this node's processes. Called from the agent's one loop thread only; what
 * happens goes to a {@link Sink} (log chunks, the node's exit).
 */
final class Runner {
    static final String LOST = "lost: the agent restarted and the process is gone";

    /** Where the runner's results go. */
    interface Sink {
        void log(NodeRun run, RankProcess process, LogTail.Chunk chunk);

        void exited(NodeRun run, Integer exitCode, String reason);
    }

    private final Layout layout;
    private final RankEnvironment.Node node;
    private final Duration grace;
    private final String setsid;
    private final SandboxRuntime sandbox;
    private final Map<String, NodeRun> runs = new LinkedHashMap<>();

    Runner(Layout layout, RankEnvironment.Node node, Duration grace, SandboxRuntime sandbox) {
        this.layout = layout;
        this.node = node;
        this.grace = grace;
        this.sandbox = sandbox;
        this.setsid = Files.isExecutable(Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid" : "setsid";
    }

    /** The attempt this node is busy with, or null. */
    String busyWith() {
        return runs.isEmpty() ? null : runs.keySet().iterator().next();
    }

    boolean isRunning(String key) {
        return runs.containsKey(key);
    }

    boolean idle() {
        return runs.isEmpty();
    }

    /** One entry per job attempt this node runs, with the node rank. */
    List<RunningRank> running() {
        return runs.values().stream()
                .map(r -> new RunningRank(r.assignment.jobId(), r.attempt(), r.nodeRank))
                .toList();
    }

    /** Starts every process of this node's part; on failure, kills what it started and throws. */
    NodeRun start(JobAssigned a, int nodeRank, Instant now) throws IOException {
        String unsafe = sandbox.problem();
        if (unsafe != null) {
            throw new IOException(unsafe);
        }
        int attempt = RankEnvironment.attempt(a);
        int perNode = RankEnvironment.processesPerNode(a.spec());
        Files.createDirectories(layout.ranks());
        Files.createDirectories(layout.attemptDir(a.jobId(), attempt));
        NodeRun.Saved saved = new NodeRun.Saved(a, nodeRank, now);
        Files.writeString(runFile(Handled.attemptKey(a)), EventJson.write(saved));
        if (a.spec().distribution() != null
                && Distribution.MPI.equals(a.spec().distribution().type())) {
            Files.writeString(layout.hostfile(a.jobId(), attempt), RankEnvironment.hostfile(a, node));
        }
        List<RankProcess> started = new ArrayList<>();
        try {
            for (int local = 0; local < perNode; local++) {
                started.add(launch(a, attempt, nodeRank, local, perNode));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(p -> p.signal("KILL"));
            started.forEach(RankProcess::poll);
            Files.deleteIfExists(runFile(Handled.attemptKey(a)));
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        NodeRun run = new NodeRun(saved, started);
        runs.put(run.key, run);
        return run;
    }

    private RankProcess launch(JobAssigned a, int attempt, int nodeRank, int local, int perNode) throws IOException {
        int rank = nodeRank * perNode + local;
        String key = Layout.rankKey(a.jobId(), attempt, rank);
        Path dir = Files.createDirectories(layout.rankDir(a.jobId(), attempt, rank));
        Path log = layout.logFile(a.jobId(), attempt, rank);
        Files.deleteIfExists(layout.exitFile(key));
        sandbox.prepare(dir);
        Map<String, String> env = RankEnvironment.build(a, nodeRank, local, node);
        List<String> sandboxArgv = List.of();
        if (sandbox.mode() == SandboxRuntime.Mode.BWRAP) {
            List<Sandbox.Mount> mounts = new ArrayList<>();
            mounts.add(new Sandbox.Mount(dir, Sandbox.WORK_DIR, false));
            if (env.containsKey("EBBTIDE_HOSTFILE")) {
                mounts.add(new Sandbox.Mount(layout.hostfile(a.jobId(), attempt), Sandbox.HOSTFILE, true));
            }
            for (Sandbox.Mount m : mounts) {
                Path closed = sandbox.unreachable(m.host());
                if (closed != null) {
                    throw new IOException("the job user " + sandbox.dropTo() + " cannot reach " + m.host() + " because "
                            + closed + " is not searchable by others (chmod o+x it, or move work-dir)");
                }
            }
            env = Sandbox.environment(env);
            sandboxArgv = sandbox.argv(null, mounts);
        }
        List<String> cmd = new ArrayList<>(RankProcess.commandLine(
                layout.exitFile(key), sandboxArgv, a.spec().command()));
        cmd.set(0, setsid);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        long pgid = awaitOwnGroup(p);
        Files.writeString(layout.pgidFile(key), pgid + "\n");
        AgentLog.info("job " + a.jobId() + " attempt " + attempt + ": rank " + rank + " started, pid " + p.pid()
                + " = process group " + pgid + ", output " + log);
        return new RankProcess(key, rank, local, pgid, p, layout, log);
    }

    /** setsid makes the wrapper a session and group leader (pid = pgid); wait until it has, at most 2 s. */
    private static long awaitOwnGroup(Process p) throws IOException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            long pgid = ProcessGroups.pgidOf(p.pid());
            if (pgid == p.pid() || pgid == -1) {
                return p.pid();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
        p.destroyForcibly();
        throw new IOException("setsid did not give the process a group of its own");
    }

    /** Asks a run to stop: SIGTERM to each process group now, SIGKILL after the grace period. */
    void stop(String key, String reason, Integer forcedCode, Instant now) {
        NodeRun run = runs.get(key);
        if (run == null || run.stopping()) {
            return;
        }
        run.stopReason = reason;
        run.forcedCode = forcedCode;
        run.killAt = now.plus(grace);
        AgentLog.info("job " + run.assignment.jobId() + " attempt " + run.attempt() + ": stopping (" + reason
                + "), SIGTERM now, SIGKILL after " + grace.toMillis() + " ms");
        run.processes.forEach(p -> p.signal("TERM"));
    }

    void stopAll(String reason, Instant now) {
        new ArrayList<>(runs.keySet()).forEach(k -> stop(k, reason, null, now));
    }

    /** Timeouts, SIGKILLs, exits and log chunks; true when a run ended. */
    boolean tick(Instant now, Sink sink) {
        boolean changed = false;
        for (NodeRun run : new ArrayList<>(runs.values())) {
            if (run.deadline != null && !run.stopping() && !now.isBefore(run.deadline)) {
                stop(
                        run.key,
                        "limits.timeout of " + run.assignment.spec().timeoutSeconds() + " s reached: stopped",
                        124,
                        now);
            }
            if (run.stopping() && !run.killed && !now.isBefore(run.killAt)) {
                run.killed = true;
                AgentLog.info("job " + run.assignment.jobId() + ": grace period over, SIGKILL");
                run.processes.forEach(p -> p.signal("KILL"));
            }
            boolean all = true;
            for (RankProcess p : run.processes) {
                all &= p.poll();
                LogTail.Chunk c = p.tail.next(now);
                if (c != null) {
                    sink.log(run, p, c);
                }
            }
            if (all) {
                run.processes.forEach(p -> p.tail.rest().forEach(c -> sink.log(run, p, c)));
                Integer code = run.exitCode();
                String reason = run.stopReason != null ? run.stopReason : code == null ? LOST : null;
                sink.exited(run, code, reason);
                runs.remove(run.key);
                cleanUp(run);
                changed = true;
            }
        }
        return changed;
    }

    /** Output file of the node's first process: the {@code outputPath} of its reports. */
    Path outputPath(NodeRun run) {
        return run.processes.isEmpty() ? null : run.processes.get(0).log;
    }

    /** Runs a previous agent on this node left: each process adopted if its group lives, else reported. */
    List<NodeRun> recover() throws IOException {
        List<NodeRun> found = new ArrayList<>();
        if (!Files.isDirectory(layout.ranks())) {
            return found;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(layout.ranks(), "*.run")) {
            for (Path f : files) {
                NodeRun.Saved saved = EventJson.read(Files.readString(f), NodeRun.Saved.class);
                JobAssigned a = saved.assignment();
                int attempt = RankEnvironment.attempt(a);
                int perNode = RankEnvironment.processesPerNode(a.spec());
                List<RankProcess> ps = new ArrayList<>();
                for (int local = 0; local < perNode; local++) {
                    int rank = saved.nodeRank() * perNode + local;
                    String key = Layout.rankKey(a.jobId(), attempt, rank);
                    Integer pgid = RankProcess.readExitFile(layout.pgidFile(key));
                    ps.add(new RankProcess(
                            key,
                            rank,
                            local,
                            pgid == null ? -1 : pgid,
                            null,
                            layout,
                            layout.logFile(a.jobId(), attempt, rank)));
                }
                NodeRun run = new NodeRun(saved, ps);
                AgentLog.info("job " + a.jobId() + " attempt " + attempt + ": found after a restart, "
                        + ps.stream()
                                .filter(p -> p.pgid > 0 && ProcessGroups.alive(p.pgid))
                                .count() + " of "
                        + ps.size() + " process groups still running (adopted)");
                runs.put(run.key, run);
                found.add(run);
            }
        }
        return found;
    }

    private void cleanUp(NodeRun run) {
        try {
            for (RankProcess p : run.processes) {
                Files.deleteIfExists(layout.exitFile(p.key));
                Files.deleteIfExists(layout.logPosFile(p.key));
                Files.deleteIfExists(layout.pgidFile(p.key));
            }
            Files.deleteIfExists(runFile(run.key));
        } catch (IOException e) {
            AgentLog.warn("could not clean up the state files of " + run.key + ": " + e.getMessage());
        }
    }

    private Path runFile(String attemptKey) {
        return layout.ranks().resolve(attemptKey + ".run");
    }
}
