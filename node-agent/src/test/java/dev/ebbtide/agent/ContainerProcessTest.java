package dev.ebbtide.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.agent.env.EnvironmentMap;
import dev.ebbtide.agent.sandbox.ContainerRuntime;
import dev.ebbtide.agent.sandbox.JobUser;
import dev.ebbtide.agent.sandbox.SandboxRuntime;
import dev.ebbtide.agent.stage.HostPackages;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.job.JobEnvironment;
import dev.ebbtide.datastore.Datastores;
import dev.ebbtide.datastore.LocalDatastore;
import dev.ebbtide.devsupport.DebianPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's {@code runtime=docker} wiring end to end with a <b>FAKE</b> {@code docker} executable (no Docker engine
 * can run here): a shell script on the docker CLI's {@code PATH} that records its argv, answers {@code pull} and
 * {@code kill}, and for {@code run} executes the command with {@code /bin/sh} on the host, in the working directory's
 * host folder, with exactly the variables of the {@code --env-file}. It proves what the agent hands to docker and how
 * it treats the answers, not that a real container starts.
 */
class ContainerProcessTest {
    static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
    static final String FAKE_DOCKER = """
            #!/bin/sh
            # FAKE docker CLI for ContainerProcessTest: records its argv, runs the command on the host with /bin/sh
            log="$FAKE_DOCKER_LOG"
            cmd="$1"; shift
            case "$cmd" in
            pull)
              echo "pull $*" >> "$log"
              case "$*" in *missing*) echo "Error response from daemon: pull access denied for example.com/missing" >&2; exit 1;; esac
              echo "sha256:fake"; exit 0;;
            kill) echo "kill $*" >> "$log"; exit 0;;
            run)
              { echo "run"; for a in "$@"; do printf '[%s]\\n' "$a"; done; echo "end"; } >> "$log"
              envfile=; wd=
              while [ $# -gt 0 ]; do
                case "$1" in
                  --env-file) envfile="$2"; shift 2;;
                  -v) case "$2" in *:/mnt/azureml/wd) wd="${2%:/mnt/azureml/wd}";; esac; shift 2;;
                  --entrypoint) shift 3; break;;
                  --rm|--init) shift;;
                  *) shift 2;;
                esac
              done
              echo "envfile-mode $(stat -c %a "$envfile")" >> "$log"
              cd "$wd" || exit 125
              exec env -i /bin/sh -c 'while IFS= read -r l; do export "$l"; done < "$0"; exec "$@"' "$envfile" "$@";;
            *) echo "fake docker: unknown command $cmd" >&2; exit 125;;
            esac
            """;

    @TempDir
    Path tmp;

    Path fakeLog;
    Runner runner;
    Layout layout;

    @BeforeEach
    void setUp() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Path bin = Files.createDirectories(tmp.resolve("fake-bin"));
        Path docker = Files.writeString(bin.resolve("docker"), FAKE_DOCKER);
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
        fakeLog = tmp.resolve("fake-docker.log");
        layout = new Layout(Files.createDirectories(tmp.resolve(".ebbtide/work/nodes/n1")));
        Files.createDirectories(layout.ranks());
        SandboxRuntime sandbox = SandboxRuntime.detect(
                SandboxRuntime.Mode.BWRAP,
                "n1",
                JobUser.NOBODY,
                layout.root(),
                null,
                List.of(tmp.resolve(".ebbtide"), layout.jobs()));
        String path = bin + ":/usr/bin:/bin";
        ContainerRuntime containers = new ContainerRuntime(
                "n1",
                ContainerRuntimeFind.find(path),
                JobUser.NOBODY,
                1,
                Map.of("PATH", path, "FAKE_DOCKER_LOG", fakeLog.toString()));
        var store = new LocalDatastore("workspaceblobstore", tmp.resolve(".ebbtide/datastores/workspaceblobstore"));
        RankEnvironment.Node node = new RankEnvironment.Node("n1", "127.0.0.1", 29500, layout, System.getenv("PATH"));
        runner = new Runner(
                layout,
                node,
                Duration.ofSeconds(1),
                sandbox,
                new Runner.Data(
                        Datastores.of(store, List.of()), new EnvironmentMap(List.of()), null, HostPackages.DPKG),
                containers);
    }

    /** Finds the fake as the agent finds docker: on its PATH. */
    static final class ContainerRuntimeFind {
        static String find(String path) {
            return ContainerRuntime.detectOn(path).orElseThrow();
        }
    }

    static JobAssigned job(String id, String command, Map<String, String> vars, JobEnvironment env) {
        JobSpec spec =
                new JobSpec(command, 1, vars, null, null, null, null, null, null, Map.of(), Map.of(), env, null, null);
        return new JobAssigned(id, "cpu", List.of("n1"), spec, 1, T0);
    }

    static final class Seen implements Runner.Sink {
        boolean started;
        Integer code;
        String reason;

        @Override
        public void log(NodeRun run, RankProcess process, LogTail.Chunk chunk) {}

        @Override
        public void started(NodeRun run) {
            started = true;
        }

        @Override
        public void exited(NodeRun run, Integer exitCode, String reason) {
            code = exitCode;
            this.reason = reason;
        }
    }

    Seen run(JobAssigned a, boolean stop) throws IOException {
        Seen seen = new Seen();
        runner.start(a, 0, T0);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    Instant now = Instant.now();
                    runner.tick(now, seen);
                    // stop once the command has set its trap (a TERM before that would end it without a SIGKILL)
                    boolean ready = Files.exists(layout.rankDir(a.jobId(), 1, 0).resolve("outputs/ready"));
                    if (stop && ready && runner.isRunning(a.jobId() + "#1")) {
                        runner.stop(a.jobId() + "#1", "stopped by the test", null, now);
                    }
                    return runner.idle();
                });
        return seen;
    }

    String fakeLog() throws IOException {
        return Files.exists(fakeLog) ? Files.readString(fakeLog) : "";
    }

    @Test
    void anImageJobRunsThroughDockerRunWithItsEnvironmentOnlyInTheEnvFile() throws Exception {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("GREETING", "hello big  world");
        vars.put("TOKENISH", "s3cr3t-value-never-in-argv");
        Seen seen = run(
                job(
                        "j1",
                        "printf '%s|%s|%s' \"$GREETING\" \"$HOME\" \"${FAKE_DOCKER_LOG:-no-cli-env}\" > outputs/seen.txt;"
                                + " exit 3",
                        vars,
                        new JobEnvironment("python:3.11", null, null, null)),
                false);
        assertTrue(seen.started);
        assertEquals(3, seen.code, "the command's exit code comes back through docker run and the wrapper");
        String log = fakeLog();
        assertTrue(log.startsWith("pull --quiet docker.io/library/python:3.11\n"), "pulled at staging: " + log);
        Path wd = layout.rankDir("j1", 1, 0);
        Path envFile = layout.envFile(Layout.rankKey("j1", 1, 0));
        for (String arg : List.of(
                "[--name]\n[ebbtide-j1-1-0]",
                "[--user]\n[65534:65534]",
                "[-v]\n[" + wd + ":/mnt/azureml/wd]",
                "[-w]\n[/mnt/azureml/wd]",
                "[--env-file]\n[" + envFile + "]",
                "[--gpus]\n[all]",
                "[--entrypoint]\n[]\n[docker.io/library/python:3.11]\n[/bin/sh]\n[-c]")) {
            assertTrue(log.contains(arg), arg + " in " + log);
        }
        assertFalse(log.contains("s3cr3t"), "no value of the job's environment on docker's command line");
        assertTrue(log.contains("envfile-mode 600\n"), log);
        assertFalse(Files.exists(envFile), "the env file is removed once the attempt ends");
        assertEquals(
                "hello big  world|/mnt/azureml/wd|no-cli-env",
                Files.readString(wd.resolve("outputs/seen.txt")),
                "the value with spaces arrives verbatim, HOME is the in-container path, the CLI's variables stay out");
    }

    @Test
    void aPullFailureIsACouldNotStartNamingTheImage() throws Exception {
        Seen seen =
                run(job("j2", "true", Map.of(), new JobEnvironment("example.com/missing:1", null, null, null)), false);
        assertFalse(seen.started);
        assertEquals(-1, seen.code);
        assertEquals(
                "could not start: the image example.com/missing:1 could not be pulled on node n1: Error response from"
                        + " daemon: pull access denied for example.com/missing",
                seen.reason);
    }

    @Test
    void aStopThatNeedsSigkillAlsoKillsTheContainer() throws Exception {
        Seen seen = run(
                job(
                        "j3",
                        "trap '' TERM; touch outputs/ready; sleep 20",
                        Map.of(),
                        new JobEnvironment("python:3.11", null, null, null)),
                true);
        assertEquals("stopped by the test", seen.reason);
        await().atMost(Duration.ofSeconds(10)).until(() -> fakeLog().contains("kill ebbtide-j3-1-0\n"));
    }

    @Test
    void aJobWithoutEnvironmentStillRunsInBubblewrap() throws Exception {
        Assumptions.assumeTrue(
                DebianPackages.tool("bwrap", "bubblewrap").isPresent(), "bubblewrap is needed for the bwrap half");
        Seen seen =
                run(job("j4", "test -d /mnt/azureml/wd && echo in-bwrap > outputs/where.txt", Map.of(), null), false);
        assertEquals(0, seen.code, seen.reason);
        assertFalse(fakeLog().contains("run"), "docker is not used: " + fakeLog());
        assertEquals("in-bwrap\n", Files.readString(layout.rankDir("j4", 1, 0).resolve("outputs/where.txt")));
    }
}
