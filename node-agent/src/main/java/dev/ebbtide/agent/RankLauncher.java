package dev.ebbtide.agent;

import dev.ebbtide.agent.plan.RunPlan;
import dev.ebbtide.agent.sandbox.Container;
import dev.ebbtide.agent.sandbox.ContainerRuntime;
import dev.ebbtide.agent.sandbox.Sandbox;
import dev.ebbtide.agent.sandbox.SandboxRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the processes of a {@link RunPlan}: each rank through the trusted wrapper and, unless opted out, the sandbox,
 * or for a container environment {@code docker run} with the environment in a 0600 {@code --env-file}.
 */
final class RankLauncher {
    private final Layout layout;
    private final SandboxRuntime sandbox;
    private final ContainerRuntime containers;
    private final String setsid;

    RankLauncher(Layout layout, SandboxRuntime sandbox) {
        this(layout, sandbox, null);
    }

    /** @param containers runs container environments ({@code runtime=docker}); null = none on this node */
    RankLauncher(Layout layout, SandboxRuntime sandbox, ContainerRuntime containers) {
        this.layout = layout;
        this.sandbox = sandbox;
        this.containers = containers;
        this.setsid = Files.isExecutable(Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid" : "setsid";
    }

    /** Starts every rank of the plan; on failure, kills what it started and throws. */
    List<RankProcess> launchAll(RunPlan plan) throws IOException {
        List<RankProcess> started = new ArrayList<>();
        try {
            for (RunPlan.RankPlan r : plan.ranks()) {
                started.add(launch(plan, r));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(p -> p.signal("KILL"));
            started.forEach(RankProcess::poll);
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        return started;
    }

    private RankProcess launch(RunPlan plan, RunPlan.RankPlan r) throws IOException {
        String key = Layout.rankKey(plan.jobId(), plan.attempt(), r.rank());
        Files.createDirectories(r.workDir());
        Files.deleteIfExists(layout.exitFile(key));
        List<String> sandboxArgv = List.of();
        Map<String, String> processEnv = r.environment();
        String container = null;
        if (plan.runtime() instanceof RunPlan.Runtime.Container c) {
            if (containers == null || containers.problem() != null) {
                throw new IOException(containers == null ? "this node does not run containers" : containers.problem());
            }
            container = Container.name(plan.jobId(), plan.attempt(), r.rank());
            Path envFile = layout.envFile(key);
            writePrivate(envFile, Container.envFile(r.environment()));
            sandboxArgv = containers.argv(container, c.image(), r.mounts(), envFile);
            processEnv = containers.cliEnvironment(); // the job's variables reach the container through the file only
        } else if (sandbox.mode() == SandboxRuntime.Mode.BWRAP) {
            for (Sandbox.Mount m : r.mounts()) {
                Path closed = sandbox.unreachable(m.host());
                if (closed != null) {
                    throw new IOException("the job user " + sandbox.dropTo() + " cannot reach " + m.host() + " because "
                            + closed + " is not searchable by others (chmod o+x it, or move work-dir)");
                }
            }
            Path rootfs = plan.runtime() instanceof RunPlan.Runtime.Image i
                    ? i.image().rootfs()
                    : null;
            sandboxArgv = sandbox.argv(rootfs, r.mounts());
        }
        List<String> cmd = new ArrayList<>(RankProcess.commandLine(layout.exitFile(key), sandboxArgv, r.command()));
        cmd.set(0, setsid);
        Files.createDirectories(r.log().getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(r.workDir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(r.log().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(processEnv);
        Process p = pb.start();
        long pgid = awaitOwnGroup(p);
        Files.writeString(layout.pgidFile(key), pgid + "\n");
        AgentLog.info("job " + plan.jobId() + " attempt " + plan.attempt() + ": rank " + r.rank() + " started, pid "
                + p.pid() + " = process group " + pgid + ", output " + r.log());
        RankProcess process = new RankProcess(key, r.rank(), r.localRank(), pgid, p, layout, r.log());
        if (container != null) {
            String name = container;
            process.onKill = () -> containers.kill(name);
            AgentLog.info("job " + plan.jobId() + " attempt " + plan.attempt() + ": rank " + r.rank() + " runs in"
                    + " container " + name + " of image " + ((RunPlan.Runtime.Container) plan.runtime()).image());
        }
        return process;
    }

    /** Written 0600 from the start (never readable by others, not even for a moment); replaces an old file. */
    private static void writePrivate(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(
                file,
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content);
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
}
