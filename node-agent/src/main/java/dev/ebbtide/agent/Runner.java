package dev.ebbtide.agent;

import dev.ebbtide.agent.env.EnvironmentMap;
import dev.ebbtide.agent.env.ImageStore;
import dev.ebbtide.agent.plan.RunPlan;
import dev.ebbtide.agent.plan.RunPlanner;
import dev.ebbtide.agent.sandbox.ContainerRuntime;
import dev.ebbtide.agent.sandbox.SandboxRuntime;
import dev.ebbtide.agent.stage.Checkpoints;
import dev.ebbtide.agent.stage.HostPackages;
import dev.ebbtide.agent.stage.Stager;
import dev.ebbtide.agent.stage.Uploader;
import dev.ebbtide.agent.stage.WebFiles;
import dev.ebbtide.common.events.Distribution;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.NodeAgentStatus.RunningRank;
import dev.ebbtide.datastore.Datastores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs this node's part of each attempt through its phases: staging (code, inputs: on a worker thread), running (the
 * processes), uploading (outputs, artifacts, logs: on the worker thread). Called from the agent's one loop thread
 * only; what happens goes to a {@link Sink} (the start, log chunks, the node's exit).
 */
final class Runner {
    static final String LOST = "lost: the agent restarted and the process is gone";
    static final String LOST_STAGING = "lost: the agent restarted while staging the job's code and inputs";

    /** Where the runner's results go. */
    interface Sink {
        void log(NodeRun run, RankProcess process, LogTail.Chunk chunk);

        void exited(NodeRun run, Integer exitCode, String reason);

        /** The ranks started (staging is over). */
        default void started(NodeRun run) {}
    }

    /** What staging and uploads use: the node's datastores (null = none), environment mapping and images. */
    record Data(Datastores stores, EnvironmentMap environments, ImageStore images, HostPackages packages) {
        static final Data NONE = new Data(null, new EnvironmentMap(List.of()), null, HostPackages.DPKG);
    }

    private final Layout layout;
    private final RankEnvironment.Node node;
    private final Duration grace;
    private final SandboxRuntime sandbox;
    private final ContainerRuntime containers;
    private final Data data;
    private final RankLauncher launcher;
    private final Stager stager;
    private final Uploader uploader;
    private final Checkpoints checkpoints;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "staging-and-uploads");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, NodeRun> runs = new LinkedHashMap<>();

    Runner(Layout layout, RankEnvironment.Node node, Duration grace, SandboxRuntime sandbox) {
        this(layout, node, grace, sandbox, Data.NONE);
    }

    Runner(Layout layout, RankEnvironment.Node node, Duration grace, SandboxRuntime sandbox, Data data) {
        this(layout, node, grace, sandbox, data, null);
    }

    /** @param containers image environments run in their container ({@code runtime=docker}); null = bwrap only */
    Runner(
            Layout layout,
            RankEnvironment.Node node,
            Duration grace,
            SandboxRuntime sandbox,
            Data data,
            ContainerRuntime containers) {
        this.layout = layout;
        this.node = node;
        this.grace = grace;
        this.sandbox = sandbox;
        this.containers = containers;
        this.data = data;
        this.launcher = new RankLauncher(layout, sandbox, containers);
        this.stager = new Stager(data.stores(), sandbox, data.packages(), new WebFiles(), node.name(), containers);
        this.uploader = new Uploader(data.stores());
        this.checkpoints = new Checkpoints(data.stores(), java.time.Clock.systemUTC(), Checkpoints.MAX_WAIT);
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

    /** One entry per job attempt this node holds (staging, running or uploading), with the node rank. */
    List<RunningRank> running() {
        return runs.values().stream()
                .map(r -> new RunningRank(r.assignment.jobId(), r.attempt(), r.nodeRank))
                .toList();
    }

    /**
     * Accepts this node's part: what can be refused at once is (no sandbox, an environment the node cannot provide, a
     * command that cannot be filled) with an {@link IOException} of one sentence; then staging starts on the worker
     * thread and {@link #tick} starts the ranks once it is done.
     */
    NodeRun start(JobAssigned a, int nodeRank, Instant now) throws IOException {
        RunPlanner.Facts facts = facts(a);
        String unsafe = facts.environment() instanceof EnvironmentMap.Resolution.Container
                ? containers.problem()
                : sandbox.problem();
        if (unsafe != null) {
            throw new IOException(unsafe);
        }
        try {
            RunPlanner.plan(a, nodeRank, facts, Map.of()); // a dry run: refuse now what can be refused now
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
        int attempt = RankEnvironment.attempt(a);
        Files.createDirectories(layout.ranks());
        Files.createDirectories(layout.attemptDir(a.jobId(), attempt));
        NodeRun.Saved saved = new NodeRun.Saved(a, nodeRank, now, NodeRun.Phase.STAGING);
        save(saved);
        if (a.spec().distribution() != null
                && Distribution.MPI.equals(a.spec().distribution().type())) {
            Files.writeString(layout.hostfile(a.jobId(), attempt), RankEnvironment.hostfile(a, node));
        }
        NodeRun run = new NodeRun(saved, List.of());
        String environment = a.spec().environment() == null
                ? "node's own system"
                : a.spec().environment().describe();
        run.work = worker.submit(() -> {
            RunPlan plan;
            try {
                plan = RunPlanner.plan(a, nodeRank, facts, stager.resolveInputs(a));
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage());
            }
            stager.stage(plan, environment);
            return plan;
        });
        runs.put(run.key, run);
        AgentLog.info("job " + a.jobId() + " attempt " + attempt + ": staging");
        return run;
    }

    private RunPlanner.Facts facts(JobAssigned a) {
        EnvironmentMap.Resolution env = data.environments()
                .resolve(
                        a.spec().environment(),
                        ref -> data.images() == null
                                ? Optional.empty()
                                : data.images().find(ref),
                        node.name(),
                        containers != null);
        return new RunPlanner.Facts(
                layout, node, sandbox.mode() == SandboxRuntime.Mode.BWRAP, data.stores() != null, env);
    }

    /** Asks a run to stop: staging is abandoned; processes get SIGTERM now, SIGKILL after the grace period. */
    void stop(String key, String reason, Integer forcedCode, Instant now) {
        stop(key, reason, forcedCode, now, now.plus(grace));
    }

    /**
     * As {@link #stop(String, String, Integer, Instant)} with SIGKILL at {@code killAt} (an eviction notice's time);
     * a run already stopping keeps its own.
     */
    void stop(String key, String reason, Integer forcedCode, Instant now, Instant killAt) {
        NodeRun run = runs.get(key);
        if (run == null || run.stopping() || run.phase == NodeRun.Phase.UPLOADING) {
            return;
        }
        run.stopReason = reason;
        run.forcedCode = forcedCode;
        run.killAt = killAt.isBefore(now) ? now : killAt;
        AgentLog.info("job " + run.assignment.jobId() + " attempt " + run.attempt() + ": stopping (" + reason
                + "), SIGTERM now, SIGKILL after "
                + Duration.between(now, run.killAt).toMillis() + " ms");
        if (run.phase == NodeRun.Phase.STAGING) {
            run.work.cancel(true);
        }
        if (run.plan != null && run.plan.checkpoint() != null) {
            // the next attempt's staging waits for this attempt's checkpoint upload (bounded)
            worker.submit(() -> checkpoints.saving(
                    run.plan.jobId(), run.attempt(), run.plan.checkpoint().output()));
        }
        run.processes.forEach(p -> p.signal("TERM"));
    }

    void stopAll(String reason, Instant now) {
        new ArrayList<>(runs.keySet()).forEach(k -> stop(k, reason, null, now));
    }

    /** Stops every run with SIGKILL at {@code killAt} (an eviction notice). */
    void stopAll(String reason, Instant now, Instant killAt) {
        new ArrayList<>(runs.keySet()).forEach(k -> stop(k, reason, null, now, killAt));
    }

    /** Timeouts, SIGKILLs, starts, exits, uploads and log chunks; true when a run changed phase or ended. */
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
            changed |= switch (run.phase) {
                case STAGING -> staging(run, sink);
                case RUNNING -> running(run, now, sink);
                case UPLOADING -> uploading(run, sink);
            };
        }
        return changed;
    }

    private boolean staging(NodeRun run, Sink sink) {
        if (!run.work.isDone()) {
            return false;
        }
        if (run.stopping()) {
            return end(run, sink, run.forcedCode, run.stopReason);
        }
        try {
            run.plan = (RunPlan) run.work.get();
            run.processes = launcher.launchAll(run.plan);
        } catch (ExecutionException | IOException | CancellationException | InterruptedException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            return end(run, sink, -1, "could not start: " + why);
        }
        run.phase = NodeRun.Phase.RUNNING;
        saveQuietly(run, NodeRun.Phase.RUNNING);
        sink.started(run);
        return true;
    }

    private boolean running(NodeRun run, Instant now, Sink sink) {
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
        if (!all) {
            return false;
        }
        run.processes.forEach(p -> p.tail.rest().forEach(c -> sink.log(run, p, c)));
        run.endCode = run.exitCode();
        run.endReason = run.stopReason != null ? run.stopReason : run.endCode == null ? LOST : null;
        run.phase = NodeRun.Phase.UPLOADING;
        saveQuietly(run, NodeRun.Phase.UPLOADING);
        JobAssigned a = run.assignment;
        AgentLog.info("job " + a.jobId() + " attempt " + run.attempt() + ": ranks ended, uploading");
        run.work = worker.submit(() -> {
            List<RunPlan.OutputFolder> outputs = RunPlanner.outputs(a, layout);
            Map<String, String> manifest = new LinkedHashMap<>();
            outputs.forEach(o -> manifest.put(
                    o.name(), new dev.ebbtide.common.data.DataUri.Datastore(o.datastore(), o.path()).toString()));
            String failure = uploader.upload(
                    a.jobId(), run.attempt(), RunPlanner.uploads(a, run.nodeRank, layout, outputs), manifest);
            RunPlan.Checkpoint checkpoint = RunPlanner.checkpoint(a, outputs, run.attempt());
            if (checkpoint != null && data.stores() != null) {
                checkpoints.saved(a.jobId(), run.attempt(), checkpoint.output());
            }
            return failure;
        });
        return true;
    }

    private boolean uploading(NodeRun run, Sink sink) {
        if (!run.work.isDone()) {
            return false;
        }
        String failure;
        try {
            failure = (String) run.work.get();
        } catch (ExecutionException | InterruptedException | CancellationException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            failure = "the uploads failed: " + cause.getMessage();
        }
        Integer code = run.endCode;
        String reason = run.endReason;
        if (failure != null) {
            code = code != null && code == 0 ? 1 : code;
            reason = reason == null ? failure : reason + "; " + failure;
        }
        return end(run, sink, code, reason);
    }

    private boolean end(NodeRun run, Sink sink, Integer code, String reason) {
        sink.exited(run, code, reason);
        runs.remove(run.key);
        cleanUp(run);
        return true;
    }

    /** Output file of the node's first process: the {@code outputPath} of its reports. */
    Path outputPath(NodeRun run) {
        return run.processes.isEmpty() ? null : run.processes.get(0).log;
    }

    /**
     * Runs a previous agent on this node left: one staging is reported lost (could not start); a running one's
     * processes are adopted if their groups live, else reported; one uploading uploads again (plain puts).
     */
    List<NodeRun> recover() throws IOException {
        List<NodeRun> found = RunRecovery.read(layout);
        for (NodeRun run : found) {
            if (run.phase == NodeRun.Phase.STAGING) {
                run.work = CompletableFuture.failedFuture(new IOException(LOST_STAGING));
            } else {
                run.phase = NodeRun.Phase.RUNNING; // ended processes are seen at the next tick; uploads redone
            }
            if (containers != null) {
                // a container rank's name follows from its key; for a bwrap rank docker kill finds nothing
                for (RankProcess p : run.processes) {
                    String name =
                            dev.ebbtide.agent.sandbox.Container.name(run.assignment.jobId(), run.attempt(), p.rank);
                    p.onKill = () -> containers.kill(name);
                }
            }
            runs.put(run.key, run);
        }
        return found;
    }

    private void cleanUp(NodeRun run) {
        try {
            for (RankProcess p : run.processes) {
                Files.deleteIfExists(layout.exitFile(p.key));
                Files.deleteIfExists(layout.logPosFile(p.key));
                Files.deleteIfExists(layout.pgidFile(p.key));
                Files.deleteIfExists(layout.envFile(p.key));
            }
            Files.deleteIfExists(RunRecovery.runFile(layout, run.key));
        } catch (IOException e) {
            AgentLog.warn("could not clean up the state files of " + run.key + ": " + e.getMessage());
        }
    }

    private void save(NodeRun.Saved saved) throws IOException {
        Files.writeString(RunRecovery.runFile(layout, Handled.attemptKey(saved.assignment())), EventJson.write(saved));
    }

    private void saveQuietly(NodeRun run, NodeRun.Phase phase) {
        run.saved = run.saved.with(phase);
        try {
            save(run.saved);
        } catch (IOException e) {
            AgentLog.warn("could not record the phase of " + run.key + ": " + e.getMessage());
        }
    }
}
