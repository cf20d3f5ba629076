package dev.ebbtide.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.job.CodeRef;
import dev.ebbtide.common.job.JobEnvironment;
import dev.ebbtide.common.job.JobInput;
import dev.ebbtide.common.job.JobOutput;
import dev.ebbtide.datastore.CodeSnapshot;
import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.datastore.OutputsManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test support shared by {@link JobDataProcessTest} (a local default datastore, the {@link Runner} in the test's JVM)
 * and {@link BlobJobDataProcessTest} (the agent's default datastore on Blob Storage, the agent as an OS process): the
 * same job with a code snapshot, a {@code uri_folder} input, a {@code uri_file} input, a literal, a named output and
 * {@code ./outputs}, then a second job that reads the first one's output by {@code azureml://jobs/<id>/outputs/out};
 * what each must leave in the datastore is checked the same way whatever the store.
 */
final class JobDataScenario {
    static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
    static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    static final String DS = "azureml://datastores/workspaceblobstore/paths/";

    /** Where the job's code, inputs and outputs live (the node's default datastore, seen from the test). */
    final Datastore store;

    final String cluster;
    final String node;

    JobDataScenario(Datastore store, String cluster, String node) {
        this.store = store;
        this.cluster = cluster;
        this.node = node;
    }

    static JobAssigned job(
            String id,
            String cluster,
            String node,
            String command,
            CodeRef code,
            Map<String, JobInput> in,
            Map<String, JobOutput> out,
            JobEnvironment env) {
        JobSpec spec = new JobSpec(command, 1, Map.of(), null, null, null, null, null, code, in, out, env, null, null);
        return new JobAssigned(id, cluster, List.of(node), spec, 1, T0);
    }

    /**
     * The first job: its code snapshot is uploaded with {@link CodeSnapshot#upload}, its inputs put in the store.
     * {@code extra} is one more shell line run at the end of the job (e.g. an attempt to read a secret).
     */
    JobAssigned first(String id, Path tmp, String extra) throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src-" + id));
        Files.writeString(
                src.resolve("main.sh"),
                "cat \"$1/a.txt\"\ncat \"$2\"\necho hello \"$3\"\necho x > \"$4/x.txt\"\n"
                        + "echo art > outputs/art.txt\necho uid=$(id -u)\n" + extra + "\n");
        CodeRef code = CodeSnapshot.of(src).upload(store).ref();
        store.put("data/in/a.txt", "from the input\n".getBytes(StandardCharsets.UTF_8));
        store.put("data/file/only.csv", "from the file input\n".getBytes(StandardCharsets.UTF_8));
        Map<String, JobInput> in = new LinkedHashMap<>();
        in.put("data", JobInput.data("uri_folder", DS + "data/in/", null));
        in.put("file", JobInput.data("uri_file", DS + "data/file/only.csv", null));
        in.put("n", JobInput.literal("integer", "42"));
        return job(
                id,
                cluster,
                node,
                "sh main.sh ${{inputs.data}} ${{inputs.file}} ${{inputs.n}} ${{outputs.out}}",
                code,
                in,
                Map.of("out", new JobOutput(null, null, null)),
                null);
    }

    /** What the first job must leave in the store: its output, its artifacts, its rank log, its outputs.json. */
    String assertFirst(String id, Integer exitCode, String reason) throws IOException {
        String logPath = "azureml/" + id + "/artifacts/user_logs/std_log_rank_0.txt";
        assertEquals(0, exitCode, reason + "; rank log: " + (store.exists(logPath) ? text(logPath) : "none"));
        String log = text(logPath);
        assertEquals("x\n", text("azureml/" + id + "/out/x.txt"));
        assertEquals("art\n", text("azureml/" + id + "/artifacts/outputs/art.txt"));
        assertTrue(
                log.contains("from the input") && log.contains("from the file input") && log.contains("hello 42"), log);
        if (ROOT) {
            assertTrue(log.contains("uid=65534"), "the job ran as the job user: " + log);
        }
        assertEquals(
                Map.of("out", DS + "azureml/" + id + "/out/"),
                OutputsManifest.read(store, id).orElseThrow().outputs());
        return log;
    }

    /** A job reading the first one's output through {@code azureml://jobs/<first>/outputs/out}. */
    JobAssigned second(String id, String first) {
        return job(
                id,
                cluster,
                node,
                "cat ${{inputs.prev}}/x.txt",
                null,
                Map.of("prev", JobInput.data("uri_folder", "azureml://jobs/" + first + "/outputs/out", null)),
                Map.of(),
                null);
    }

    void assertSecond(String id, Integer exitCode, String reason) throws IOException {
        assertEquals(0, exitCode, reason);
        assertEquals("x\n", text("azureml/" + id + "/artifacts/user_logs/std_log_rank_0.txt"));
    }

    String text(String path) throws IOException {
        return new String(store.read(path), StandardCharsets.UTF_8);
    }
}
