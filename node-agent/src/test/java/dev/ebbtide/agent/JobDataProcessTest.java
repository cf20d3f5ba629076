package dev.ebbtide.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ebbtide.agent.env.EnvironmentMap;
import dev.ebbtide.agent.env.ImageStore;
import dev.ebbtide.agent.sandbox.JobUser;
import dev.ebbtide.agent.sandbox.SandboxRuntime;
import dev.ebbtide.agent.stage.HostPackages;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.job.CodeRef;
import dev.ebbtide.common.job.JobEnvironment;
import dev.ebbtide.common.job.JobInput;
import dev.ebbtide.common.job.JobOutput;
import dev.ebbtide.datastore.Datastores;
import dev.ebbtide.datastore.LocalDatastore;
import dev.ebbtide.devsupport.DebianPackages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real jobs with code, data and environments, staged, run in the real sandbox and uploaded by the {@link Runner}, with
 * a local datastore laid out as the local stack lays it out. The code-and-data job is {@link JobDataScenario}, which
 * {@link BlobJobDataProcessTest} runs against Blob Storage (Azurite) through the agent's own options.
 */
class JobDataProcessTest {
    static final Instant T0 = JobDataScenario.T0;
    static final boolean ROOT = JobDataScenario.ROOT;
    static final String DS = JobDataScenario.DS;

    @TempDir
    Path tmp;

    LocalDatastore store;
    Datastores stores;
    ImageStore images;

    @BeforeAll
    static void bubblewrap() throws Exception {
        if (DebianPackages.tool("bwrap", "bubblewrap").isEmpty()) {
            fail(DebianPackages.whyMissing("bwrap", "bubblewrap"));
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        store = new LocalDatastore("workspaceblobstore", tmp.resolve(".ebbtide/datastores/workspaceblobstore"));
        stores = Datastores.of(store, List.of());
        images = new ImageStore(tmp.resolve(".ebbtide/images"));
    }

    /** What the sink saw of one attempt. */
    static final class Seen implements Runner.Sink {
        boolean started;
        boolean exited;
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
            exited = true;
            code = exitCode;
            this.reason = reason;
        }
    }

    Runner runner(Layout layout, EnvironmentMap map, HostPackages packages) throws IOException {
        Files.createDirectories(layout.ranks());
        SandboxRuntime sandbox = SandboxRuntime.detect(
                SandboxRuntime.Mode.BWRAP,
                "n1",
                JobUser.NOBODY,
                layout.root(),
                null,
                List.of(tmp.resolve(".ebbtide"), layout.jobs()));
        RankEnvironment.Node node = new RankEnvironment.Node("n1", "127.0.0.1", 29500, layout, System.getenv("PATH"));
        return new Runner(layout, node, Duration.ofSeconds(5), sandbox, new Runner.Data(stores, map, images, packages));
    }

    Layout layout() throws IOException {
        return new Layout(Files.createDirectories(tmp.resolve(".ebbtide/work/nodes/n1")));
    }

    static Seen run(Runner runner, JobAssigned a) throws IOException {
        Seen seen = new Seen();
        runner.start(a, 0, T0);
        assertTrue(!seen.started, "STARTED waits for the staging");
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    runner.tick(Instant.now(), seen);
                    return runner.idle();
                });
        return seen;
    }

    static JobAssigned job(
            String id,
            String command,
            CodeRef code,
            Map<String, JobInput> in,
            Map<String, JobOutput> out,
            JobEnvironment env) {
        return JobDataScenario.job(id, "cpu", "n1", command, code, in, out, env);
    }

    String text(String path) throws IOException {
        return new String(store.read(path), StandardCharsets.UTF_8);
    }

    @Test
    void aJobWithCodeDataAndOutputsRunsAndASecondJobReadsItsOutput() throws Exception {
        JobDataScenario scenario = new JobDataScenario(store, "cpu", "n1");
        Runner runner = runner(layout(), new EnvironmentMap(List.of()), HostPackages.DPKG);

        Seen first = run(runner, scenario.first("job-1", tmp, ""));
        assertTrue(first.started);
        scenario.assertFirst("job-1", first.code, first.reason);

        Seen second = run(runner, scenario.second("job-2", "job-1"));
        scenario.assertSecond("job-2", second.code, second.reason);
    }

    @Test
    void aMissingInputFailsBeforeAnythingRuns() throws Exception {
        Runner runner = runner(layout(), new EnvironmentMap(List.of()), HostPackages.DPKG);
        Seen seen = run(
                runner,
                job(
                        "job-m",
                        "ls ${{inputs.iris_csv}}",
                        null,
                        Map.of("iris_csv", JobInput.data("uri_folder", DS + "x/", null)),
                        Map.of(),
                        null));
        assertEquals(false, seen.started);
        assertEquals(-1, seen.code);
        assertEquals("could not start: input iris_csv: " + DS + "x/ does not exist", seen.reason);
    }

    @Test
    void anUnmappedEnvironmentIsRefusedAtOnceWithItsSentence() throws Exception {
        Runner runner = runner(layout(), new EnvironmentMap(List.of()), HostPackages.DPKG);
        IOException e = assertThrows(
                IOException.class,
                () -> runner.start(
                        job(
                                "job-u",
                                "ls",
                                null,
                                Map.of(),
                                Map.of(),
                                new JobEnvironment(null, "azureml:nowhere@latest", null, null)),
                        0,
                        T0));
        assertEquals(
                "the job's environment azureml:nowhere@latest is not available on node n1: map it in the node's"
                        + " environment mapping (docs/environments.md)",
                e.getMessage());
        assertTrue(runner.idle());
    }

    @Test
    void missingDebianPackagesFailTheJobWithTheLineThatInstallsThem() throws Exception {
        EnvironmentMap map = EnvironmentMap.parse(
                "- match: \"azureml:sk*\"\n  runtime: host\n  python: /usr/bin/python3\n  packages: [python3-a, python3-b]\n");
        Runner runner = runner(layout(), map, wanted -> wanted);
        Seen seen = run(
                runner,
                job(
                        "job-p",
                        "python --version",
                        null,
                        Map.of(),
                        Map.of(),
                        new JobEnvironment(null, "azureml:sklearn@latest", null, null)));
        assertEquals(-1, seen.code);
        assertEquals(
                "could not start: the job's environment azureml:sklearn@latest needs the Debian packages"
                        + " python3-a python3-b on node n1: apt-get install -y python3-a python3-b",
                seen.reason);
    }

    @Test
    void aMappedPythonIsWhatPythonRuns() throws Exception {
        EnvironmentMap map = EnvironmentMap.parse("- match: \"azureml:py*\"\n  runtime: host\n  python: /bin/sh\n");
        Runner runner = runner(layout(), map, wanted -> List.of());
        Seen seen = run(
                runner,
                job(
                        "job-py",
                        "command -v python3; readlink -f \"$(command -v python)\"",
                        null,
                        Map.of(),
                        Map.of(),
                        new JobEnvironment(null, "azureml:py@latest", null, null)));
        assertEquals(0, seen.code, seen.reason);
        String log = text("azureml/job-py/artifacts/user_logs/std_log_rank_0.txt");
        assertTrue(log.startsWith("/mnt/azureml/bin/python3\n"), log);
    }

    @Test
    void anImageEnvironmentRunsInTheImage() throws Exception {
        Path rootfs = SandboxProcessTest.tinyRootfs(tmp.resolve("build/rootfs"));
        Files.writeString(rootfs.resolve("image-only.txt"), "only in the image\n");
        Path tarball = ociLayout(rootfs, tmp.resolve("tiny.tar"));
        images.importTarball(tarball, "tiny:1");
        Runner runner = runner(layout(), new EnvironmentMap(List.of()), HostPackages.DPKG);

        Seen seen = run(
                runner,
                job(
                        "job-i",
                        "cat /image-only.txt; echo $GREETING",
                        null,
                        Map.of(),
                        Map.of(),
                        new JobEnvironment("tiny:1", null, null, null)));

        assertEquals(0, seen.code, seen.reason);
        assertEquals(
                "only in the image\nfrom the image\n", text("azureml/job-i/artifacts/user_logs/std_log_rank_0.txt"));
    }

    @Test
    void aRootAgentWhoseWorkDirIsClosedPutsTheJobsFoldersWhereTheJobUserReachesThem() throws Exception {
        if (!ROOT) {
            return; // only a root agent drops to a job user who needs o+x on the way
        }
        Path closed = Files.createDirectories(tmp.resolve("closed"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        Layout plain = new Layout(Files.createDirectories(closed.resolve("work/nodes/n1")));
        Layout layout = JobsRoot.choose(plain, SandboxRuntime.Mode.BWRAP, true, tmp.resolve("jobs-root"));
        assertTrue(
                layout.jobs().startsWith(tmp.resolve("jobs-root")),
                layout.jobs().toString());
        assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(layout.jobs())));
        Runner runner = runner(layout, new EnvironmentMap(List.of()), HostPackages.DPKG);

        Seen seen = run(
                runner,
                job(
                        "job-r",
                        "echo ok > ${{outputs.out}}/r.txt; ls " + layout.jobs() + " 2>/dev/null | wc -l",
                        null,
                        Map.of(),
                        Map.of("out", new JobOutput(null, null, null)),
                        null));

        assertEquals(0, seen.code, seen.reason + ": " + text("azureml/job-r/artifacts/user_logs/std_log_rank_0.txt"));
        assertEquals("ok\n", text("azureml/job-r/out/r.txt"));
        assertEquals("0\n", text("azureml/job-r/artifacts/user_logs/std_log_rank_0.txt"), "the jobs root is hidden");
    }

    @Test
    void aFailingJobStillUploadsWhatItWrote() throws Exception {
        Runner runner = runner(layout(), new EnvironmentMap(List.of()), HostPackages.DPKG);
        Seen seen = run(runner, job("job-f", "echo partial > outputs/p.txt; exit 3", null, Map.of(), Map.of(), null));
        assertEquals(3, seen.code);
        assertNull(seen.reason);
        assertEquals("partial\n", text("azureml/job-f/artifacts/outputs/p.txt"));
    }

    /** An OCI image layout tarball with one layer holding {@code rootfs}, and {@code GREETING} in its config. */
    static Path ociLayout(Path rootfs, Path file) throws Exception {
        ByteArrayOutputStream layer = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(layer);
                Stream<Path> walk = Files.walk(rootfs)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(rootfs)) {
                    continue;
                }
                String name = rootfs.relativize(p).toString();
                TarArchiveEntry e = new TarArchiveEntry(p.toFile(), Files.isDirectory(p) ? name + "/" : name);
                e.setMode(Files.isDirectory(p) ? 040755 : Files.isExecutable(p) ? 0100755 : 0100644);
                t.putArchiveEntry(e);
                if (Files.isRegularFile(p)) {
                    Files.copy(p, t);
                }
                t.closeArchiveEntry();
            }
        }
        byte[] l = layer.toByteArray();
        byte[] config =
                "{\"config\":{\"Env\":[\"PATH=/bin\",\"GREETING=from the image\"]}}".getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" + sha(config) + "\"},\"layers\":["
                        + "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:" + sha(l)
                        + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] index = ("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:" + sha(manifest)
                        + "\",\"annotations\":{\"org.opencontainers.image.ref.name\":\"tiny:1\"}}]}")
                .getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> outer = new LinkedHashMap<>();
        outer.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        outer.put("index.json", index);
        outer.put("blobs/sha256/" + sha(manifest), manifest);
        outer.put("blobs/sha256/" + sha(config), config);
        outer.put("blobs/sha256/" + sha(l), l);
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> e : outer.entrySet()) {
                TarArchiveEntry te = new TarArchiveEntry(e.getKey());
                te.setSize(e.getValue().length);
                t.putArchiveEntry(te);
                t.write(e.getValue());
                t.closeArchiveEntry();
            }
        }
        return file;
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
