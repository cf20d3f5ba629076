package dev.ebbtide.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ebbtide.agent.sandbox.JobUser;
import dev.ebbtide.agent.sandbox.Sandbox;
import dev.ebbtide.agent.sandbox.SandboxRuntime;
import dev.ebbtide.common.events.Distribution;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.devsupport.DebianPackages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real ranks in the real sandbox, started by the {@link Runner} as the agent starts them, on a node directory laid out
 * as the local stack lays it out ({@code .ebbtide/keys/private.pem} beside {@code .ebbtide/work/nodes/<node>}).
 */
class SandboxProcessTest {
    static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
    static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path tmp;

    Path state;
    Layout layout;

    @BeforeAll
    static void bubblewrap() throws Exception {
        if (DebianPackages.tool("bwrap", "bubblewrap").isEmpty()) {
            fail(DebianPackages.whyMissing("bwrap", "bubblewrap"));
        }
    }

    @BeforeEach
    void stack() throws IOException {
        // the job user must be able to pass through (not list) the temp dir to reach its own folder, as under /var/lib
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        state = tmp.resolve(".ebbtide");
        Path key = Files.createDirectories(state.resolve("keys")).resolve("private.pem");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nstand-in\n");
        // readable by anyone: only the sandbox's mount hiding keeps it from a job
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        layout = new Layout(Files.createDirectories(state.resolve("work/nodes/n1")));
        Files.createDirectories(layout.ranks());
        Files.writeString(layout.handled(), "other#1 accepted\n");
        Path other = Files.createDirectories(layout.rankDir("other", 1, 0));
        Files.writeString(other.resolve("secret.txt"), "other job's data\n");
        Files.setPosixFilePermissions(other.resolve("secret.txt"), PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Prints SAFE or LEAK per target: a file's content, a directory's entries, the agent's environment. */
    String probe() {
        Path w = layout.root();
        long agent = ProcessHandle.current().pid();
        return "file() { if [ -n \"$(cat \"$2\" 2>/dev/null)\" ]; then echo \"LEAK $1\"; else echo \"SAFE $1\"; fi; }\n"
                + "dir() { if [ -n \"$(ls -A \"$2\" 2>/dev/null)\" ]; then echo \"LEAK $1\"; else echo \"SAFE $1\"; fi; }\n"
                + "file key " + state.resolve("keys/private.pem") + "\n"
                + "dir keys " + state.resolve("keys") + "\n"
                + "dir ranks " + w.resolve("ranks") + "\n"
                + "file handled " + w.resolve("handled") + "\n"
                + "file other-job " + layout.rankDir("other", 1, 0).resolve("secret.txt") + "\n"
                + "file agent-environ /proc/" + agent + "/environ\n";
    }

    @Test
    void aRankCannotReadTheStacksKeyTheAgentsStateOtherJobsOrTheAgentsEnvironment() throws Exception {
        Runner runner = runner(SandboxRuntime.Mode.BWRAP);
        String cmd = probe() + "echo uid=$(id -u) home=$HOME pwd=$(pwd) work=$EBBTIDE_WORK_DIR\n"
                + "echo kept > outputs/result.txt && echo wrote-output\n"
                + "ls -d logs && python3 -c 'print(\"python3 reachable\")'\n";
        String log = run(runner, "job-a", cmd);

        for (String target : List.of("key", "keys", "ranks", "handled", "other-job", "agent-environ")) {
            assertTrue(log.contains("SAFE " + target), target + " must not be readable from a rank:\n" + log);
        }
        assertFalse(log.contains("LEAK"), log);
        assertTrue(log.contains("home=/mnt/azureml/wd pwd=/mnt/azureml/wd work=/mnt/azureml/wd"), log);
        assertTrue(log.contains("wrote-output") && log.contains("python3 reachable"), log);
        assertEquals("kept\n", Files.readString(layout.rankDir("job-a", 1, 0).resolve("outputs/result.txt")));
        if (ROOT) {
            assertTrue(log.contains("uid=65534 "), "the agent is root: the rank must run as nobody\n" + log);
            assertEquals(
                    65534, Files.getAttribute(layout.rankDir("job-a", 1, 0).resolve("outputs/result.txt"), "unix:uid"));
        }
    }

    @Test
    void withoutTheSandboxTheSameProbeReadsEverything() throws Exception {
        // proves the probe's paths are right: what the sandbox refuses, an unsandboxed rank reads
        String log = run(runner(SandboxRuntime.Mode.NONE), "job-b", probe());
        for (String target : List.of("key", "keys", "ranks", "handled", "other-job", "agent-environ")) {
            assertTrue(log.contains("LEAK " + target), target + "\n" + log);
        }
    }

    @Test
    void aStopEndsTheSandboxedCommandThroughItsProcessGroup() throws Exception {
        Runner runner = runner(SandboxRuntime.Mode.BWRAP);
        String seconds = "1000" + System.nanoTime() % 1000;
        NodeRun run = runner.start(job("job-c", "sleep " + seconds + " & sleep " + seconds + "; echo after"), 0, T0);
        AtomicReference<Integer> code = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                runner.tick(T0, sink(code)); // staging, then the ranks start
                return sleepers(seconds) == 2;
            });
            runner.stop(run.key, "test", null, T0);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                runner.tick(T0, sink(code)); // the clock stays before the SIGKILL: TERM alone must end it
                return runner.idle();
            });
        } finally {
            run.processes.forEach(p -> p.signal("KILL"));
        }
        assertEquals(143, code.get());
        await().atMost(Duration.ofSeconds(5)).until(() -> sleepers(seconds) == 0);
    }

    @Test
    void mpiRanksReadTheHostFileAtItsSandboxPath() throws Exception {
        Runner runner = runner(SandboxRuntime.Mode.BWRAP);
        JobAssigned a = new JobAssigned(
                "job-mpi",
                "cpu",
                List.of("n1"),
                new JobSpec(
                        "echo \"$EBBTIDE_HOSTFILE: $(cat $EBBTIDE_HOSTFILE)\"",
                        1,
                        Map.of(),
                        null,
                        null,
                        null,
                        null,
                        new Distribution(Distribution.MPI, 2, null, null)),
                1,
                T0);
        runner.start(a, 0, T0);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            runner.tick(T0, sink(new AtomicReference<>()));
            return runner.idle();
        });
        for (int rank = 0; rank < 2; rank++) {
            String log = Files.readString(layout.logFile("job-mpi", 1, rank));
            assertEquals("/mnt/azureml/hostfile: 127.0.0.1 slots=2\n", log);
        }
    }

    @Test
    void aRootAgentRefusesAJobWhoseFolderTheJobUserCannotReach() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ROOT, "only a root agent drops to the job user");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
        Runner runner = runner(SandboxRuntime.Mode.BWRAP);
        runner.start(job("job-f", "true"), 0, T0);
        AtomicReference<String> reason = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            runner.tick(T0, new Runner.Sink() {
                @Override
                public void log(NodeRun run, RankProcess process, LogTail.Chunk chunk) {}

                @Override
                public void exited(NodeRun run, Integer exitCode, String why) {
                    reason.set(exitCode + " " + why);
                }
            });
            return runner.idle();
        });
        assertEquals(
                "-1 could not start: the job user 65534:65534 cannot reach " + layout.rankDir("job-f", 1, 0)
                        + " because " + tmp + " is not searchable by others (chmod o+x it, or move work-dir)",
                reason.get());
    }

    @Test
    void withoutBubblewrapEveryJobIsRefusedWithOneSentence() throws Exception {
        SandboxRuntime missing = new SandboxRuntime(
                SandboxRuntime.Mode.BWRAP, "n1", null, "/usr/bin/setpriv", ROOT, JobUser.NOBODY, List.of(state));
        RankEnvironment.Node node = new RankEnvironment.Node("n1", "127.0.0.1", 29500, layout, null);
        Runner runner = new Runner(layout, node, Duration.ofSeconds(30), missing);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                IOException.class, () -> runner.start(job("job-e", "echo unsandboxed"), 0, T0));
        assertEquals(
                "bubblewrap (bwrap) is not installed on node n1; install the Debian package bubblewrap or set"
                        + " sandbox=none",
                e.getMessage());
        assertTrue(runner.idle());
        assertFalse(Files.exists(layout.logFile("job-e", 1, 0)), "nothing ran");
    }

    @Test
    void anImagesRootFilesystemIsTheRanksRoot() throws Exception {
        Path rootfs = tinyRootfs(tmp.resolve("image/rootfs"));
        Files.writeString(rootfs.resolve("image-only.txt"), "only in the image\n");
        SandboxRuntime.prepareImage(rootfs);
        SandboxRuntime sandbox = sandbox(SandboxRuntime.Mode.BWRAP);
        Path wd = Files.createDirectories(layout.rankDir("job-d", 1, 0));
        sandbox.prepare(wd);
        List<Sandbox.Mount> mounts = List.of(new Sandbox.Mount(wd, Sandbox.WORK_DIR, false));

        String inImage = exec(sandbox.argv(rootfs, mounts), "cat /image-only.txt; ls /mnt/azureml/wd");
        assertTrue(inImage.contains("only in the image"), inImage);
        assertTrue(inImage.contains("outputs"), "the working directory is bound in the image too: " + inImage);
        String onHost = exec(sandbox.argv(null, mounts), "cat /image-only.txt");
        assertFalse(onHost.contains("only in the image"), onHost);
        assertTrue(onHost.contains("No such file"), onHost);
    }

    /** Copies /bin/sh, /bin/cat, /bin/ls and the libraries ldd names into {@code root}. */
    static Path tinyRootfs(Path root) throws Exception {
        Pattern lib = Pattern.compile("(/\\S+\\.so[.0-9]*)");
        for (String tool : List.of("/bin/sh", "/bin/cat", "/bin/ls")) {
            copy(Path.of(tool), root);
            Process p = new ProcessBuilder("ldd", Path.of(tool).toRealPath().toString())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            Matcher m = lib.matcher(out);
            while (m.find()) {
                copy(Path.of(m.group(1)), root);
            }
        }
        return root;
    }

    private static void copy(Path file, Path root) throws IOException {
        Path target = root.resolve(file.toString().substring(1));
        Files.createDirectories(target.getParent());
        Files.copy(file.toRealPath(), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Path d = target.getParent(); d.startsWith(root); d = d.getParent()) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private String exec(List<String> sandboxArgv, String command) throws Exception {
        List<String> cmd = new ArrayList<>(sandboxArgv);
        cmd.addAll(List.of("/bin/sh", "-c", command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), out);
        return out;
    }

    private String run(Runner runner, String jobId, String command) throws Exception {
        runner.start(job(jobId, command), 0, T0);
        AtomicReference<Integer> code = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            runner.tick(T0, sink(code));
            return runner.idle();
        });
        return Files.readString(layout.logFile(jobId, 1, 0));
    }

    private static Runner.Sink sink(AtomicReference<Integer> code) {
        return new Runner.Sink() {
            @Override
            public void log(NodeRun run, RankProcess process, LogTail.Chunk chunk) {}

            @Override
            public void exited(NodeRun run, Integer exitCode, String reason) {
                code.set(exitCode);
            }
        };
    }

    private SandboxRuntime sandbox(SandboxRuntime.Mode mode) {
        return SandboxRuntime.detect(mode, "n1", JobUser.NOBODY, layout.root(), null, List.of(state));
    }

    private Runner runner(SandboxRuntime.Mode mode) {
        RankEnvironment.Node node = new RankEnvironment.Node("n1", "127.0.0.1", 29500, layout, System.getenv("PATH"));
        return new Runner(layout, node, Duration.ofSeconds(30), sandbox(mode));
    }

    private static JobAssigned job(String id, String command) {
        return new JobAssigned(
                id, "cpu", List.of("n1"), new JobSpec(command, 1, Map.of(), null, null, null, null), 1, T0);
    }

    private static long sleepers(String seconds) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.isAlive()
                        && h.info().command().orElse("").endsWith("/sleep")
                        && List.of(seconds).equals(List.of(h.info().arguments().orElse(new String[0]))))
                .count();
    }
}
