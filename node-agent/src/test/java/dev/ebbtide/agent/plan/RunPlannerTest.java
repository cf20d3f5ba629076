package dev.ebbtide.agent.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.agent.Layout;
import dev.ebbtide.agent.RankEnvironment;
import dev.ebbtide.agent.env.EnvironmentMap.Resolution;
import dev.ebbtide.agent.env.ImportedImage;
import dev.ebbtide.agent.sandbox.Sandbox;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.job.CodeRef;
import dev.ebbtide.common.job.JobEnvironment;
import dev.ebbtide.common.job.JobInput;
import dev.ebbtide.common.job.JobOutput;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RunPlannerTest {
    static final Layout LAYOUT = new Layout(Path.of("/w/nodes/n1"));
    static final RankEnvironment.Node N1 =
            new RankEnvironment.Node("n1", "10.0.0.5", 29501, LAYOUT, "/pyenv/shims:/usr/bin");
    static final Resolution HOST = new Resolution.Host(null, List.of(), "no environment given");
    static final String DS = "azureml://datastores/workspaceblobstore/paths/";
    static final String ATTEMPT = "/w/nodes/n1/jobs/j1/attempt-2";

    static JobAssigned job(String command, Map<String, JobInput> in, Map<String, JobOutput> out, CodeRef code) {
        JobSpec spec = new JobSpec(
                command,
                1,
                Map.of("LR", "0.1"),
                null,
                null,
                null,
                null,
                null,
                code,
                in,
                out,
                new JobEnvironment("python:3.11", null, null, null),
                null,
                null);
        return new JobAssigned("j1", "cpu", List.of("n1"), spec, 2, Instant.parse("2026-12-01T10:00:00Z"));
    }

    static RunPlanner.Facts facts(boolean sandboxed, boolean datastore, Resolution env) {
        return new RunPlanner.Facts(LAYOUT, N1, sandboxed, datastore, env);
    }

    static Map<String, JobInput> in(Object... kv) {
        Map<String, JobInput> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (JobInput) kv[i + 1]);
        }
        return m;
    }

    static Map<String, JobOutput> out(String name, JobOutput o) {
        return name == null ? Map.of() : Map.of(name, o);
    }

    static Arguments row(
            String name,
            Map<String, JobInput> in,
            Map<String, JobOutput> out,
            boolean sandboxed,
            String command,
            String rendered) {
        return Arguments.of(name, in, out, sandboxed, command, rendered);
    }

    static Stream<Arguments> commands() {
        JobOutput folder = new JobOutput(null, null, null);
        return Stream.of(
                row(
                        "a folder input is its mount",
                        in("data", JobInput.data("uri_folder", DS + "data/", null)),
                        Map.of(),
                        true,
                        "ls ${{inputs.data}}",
                        "ls /mnt/azureml/inputs/data"),
                row(
                        "a file input is the file in its mount",
                        in("iris_csv", JobInput.data("uri_file", DS + "x/iris.csv", "download")),
                        Map.of(),
                        true,
                        "python a.py --data ${{inputs.iris_csv}}",
                        "python a.py --data /mnt/azureml/inputs/iris_csv/iris.csv"),
                row(
                        "a web file keeps its name without the query",
                        in("f", JobInput.data("uri_file", "https://example.org/a/b.csv?sig=1", null)),
                        Map.of(),
                        true,
                        "cat ${{inputs.f}}",
                        "cat /mnt/azureml/inputs/f/b.csv"),
                row(
                        "a model is a folder",
                        in("m", JobInput.data("mlflow_model", DS + "models/m", null)),
                        Map.of(),
                        true,
                        "ls ${{inputs.m}}",
                        "ls /mnt/azureml/inputs/m"),
                row(
                        "a literal is its value",
                        in("hello_number", JobInput.literal("integer", "42")),
                        Map.of(),
                        true,
                        "echo ${{inputs.hello_number}}",
                        "echo 42"),
                row(
                        "an output is its folder",
                        Map.of(),
                        out("out", folder),
                        true,
                        "echo x > ${{outputs.out}}/x.txt",
                        "echo x > /mnt/azureml/outputs/out/x.txt"),
                row(
                        "a file output with a path is the file",
                        Map.of(),
                        out("model", new JobOutput("uri_file", DS + "models/m.pkl", null)),
                        true,
                        "python t.py ${{outputs.model}}",
                        "python t.py /mnt/azureml/outputs/model/m.pkl"),
                row(
                        "an optional block without its input is dropped",
                        Map.of(),
                        Map.of(),
                        true,
                        "python t.py $[[--lr ${{inputs.lr}}]]",
                        "python t.py "),
                row(
                        "sandbox=none gets the host paths",
                        in("data", JobInput.data("uri_folder", DS + "data/", null)),
                        out("out", folder),
                        false,
                        "cp -r ${{inputs.data}} ${{outputs.out}}",
                        "cp -r " + ATTEMPT + "/inputs/data " + ATTEMPT + "/outputs/out"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void rendersTheCommandAsAzureMlDoes(
            String name,
            Map<String, JobInput> in,
            Map<String, JobOutput> out,
            boolean sandboxed,
            String command,
            String rendered) {
        RunPlan plan = RunPlanner.plan(job(command, in, out, null), 0, facts(sandboxed, true, HOST), Map.of());
        assertEquals(rendered, plan.ranks().get(0).command());
    }

    static Stream<Arguments> refusals() {
        CodeRef code = new CodeRef(DS + "LocalUpload/ab/code.tar.gz", "sha256:ab");
        Map<String, JobInput> folder = in("data", JobInput.data("uri_folder", DS + "data/", null));
        return Stream.of(
                Arguments.of(
                        "an environment the node cannot provide",
                        job("ls", Map.of(), Map.of(), null),
                        facts(true, true, new Resolution.Unavailable("the job's image x is not available on node n1")),
                        "the job's image x is not available on node n1"),
                Arguments.of(
                        "code without a datastore",
                        job("ls", Map.of(), Map.of(), code),
                        facts(true, false, HOST),
                        "the job has code, and node n1 has no datastore configured (set the agent's datastore-path or"
                                + " datastore-account)"),
                Arguments.of(
                        "data without a datastore",
                        job("ls", folder, Map.of(), null),
                        facts(true, false, HOST),
                        "input data needs a datastore, and node n1 has none configured (set the agent's datastore-path"
                                + " or datastore-account)"),
                Arguments.of(
                        "a web URL as a folder",
                        job("ls", in("w", JobInput.data("uri_folder", "https://example.org/d/", null)), Map.of(), null),
                        facts(true, true, HOST),
                        "input w is a web URL (https://example.org/d/), which is one file: give it type uri_file"),
                Arguments.of(
                        "a file input naming a folder",
                        job("ls", in("f", JobInput.data("uri_file", DS + "data/", null)), Map.of(), null),
                        facts(true, true, HOST),
                        "input f is a uri_file, but its path " + DS + "data/ names a folder, not a file: give it type"
                                + " uri_folder or name the file"),
                Arguments.of(
                        "an output outside a datastore",
                        job("ls", Map.of(), out("o", new JobOutput(null, "https://example.org/o/", null)), null),
                        facts(true, true, HOST),
                        "output o has path https://example.org/o/; an output is uploaded to a datastore: use"
                                + " azureml://datastores/<name>/paths/<path>"),
                Arguments.of(
                        "an image without the sandbox",
                        job("ls", Map.of(), Map.of(), null),
                        facts(false, true, new Resolution.Image(image(), "imported")),
                        "the job's image python:3.11 runs in its image's root filesystem, which needs sandbox=bwrap,"
                                + " and node n1 has sandbox=none"),
                Arguments.of(
                        "a reference to an undeclared input",
                        job("cat ${{inputs.nope}}", Map.of(), Map.of(), null),
                        facts(true, true, HOST),
                        "command refers to ${{inputs.nope}} but the job declares no input 'nope': add it under inputs:"
                                + " or correct the name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWithOneSentence(String name, JobAssigned a, RunPlanner.Facts f, String sentence) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RunPlanner.plan(a, 0, f, Map.of()));
        assertEquals(sentence, e.getMessage());
    }

    static ImportedImage image() {
        return new ImportedImage(
                "docker.io/library/python:3.11",
                Path.of("/images/python/rootfs"),
                List.of("PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8", "LR=image"),
                null,
                1);
    }

    @Test
    void aMappedPythonWinsOverTheAgentsPathAndEveryFolderIsMounted() {
        JobAssigned a = job(
                "python t.py",
                in("data", JobInput.data("uri_folder", DS + "data/", null)),
                out("out", new JobOutput(null, null, null)),
                null);
        RunPlan plan = RunPlanner.plan(
                a,
                0,
                facts(true, true, new Resolution.Host("/usr/bin/python3", List.of("python3-sklearn"), "rule")),
                Map.of());
        RunPlan.RankPlan r = plan.ranks().get(0);
        assertEquals("/mnt/azureml/bin:/pyenv/shims:/usr/bin", r.environment().get("PATH"));
        assertEquals(
                List.of(
                        new Sandbox.Mount(Path.of(ATTEMPT + "/rank-0"), Sandbox.WORK_DIR, false),
                        new Sandbox.Mount(Path.of(ATTEMPT + "/inputs/data"), "/mnt/azureml/inputs/data", true),
                        new Sandbox.Mount(Path.of(ATTEMPT + "/outputs/out"), "/mnt/azureml/outputs/out", false),
                        new Sandbox.Mount(Path.of(ATTEMPT + "/bin"), "/mnt/azureml/bin", true)),
                r.mounts());
        assertEquals(
                new RunPlan.Runtime.Host(
                        "/usr/bin/python3", List.of("python3-sklearn"), Path.of(ATTEMPT + "/bin"), "rule"),
                plan.runtime());
        assertEquals("j1", r.environment().get("AZUREML_RUN_ID"));
        assertEquals("/mnt/azureml/inputs/data", r.environment().get("AZURE_ML_INPUT_data"));
        assertEquals("/mnt/azureml/outputs/out", r.environment().get("AZURE_ML_OUTPUT_out"));
        assertEquals("/mnt/azureml/wd", r.environment().get("HOME"));
    }

    @Test
    void aContainerGetsTheSandboxPathsTheImagesOwnPathAndRefusesALineBreakInAVariable() {
        Resolution container = new Resolution.Container("docker.io/library/python:3.11", "runtime=docker");
        JobAssigned a = job(
                "python t.py --data ${{inputs.data}}",
                in("data", JobInput.data("uri_folder", DS + "data/", null)),
                out("out", new JobOutput(null, null, null)),
                null);
        // sandbox=none does not change what a container sees
        RunPlan plan = RunPlanner.plan(a, 0, facts(false, true, container), Map.of());
        assertEquals(new RunPlan.Runtime.Container("docker.io/library/python:3.11", "runtime=docker"), plan.runtime());
        RunPlan.RankPlan r = plan.ranks().get(0);
        assertEquals("python t.py --data /mnt/azureml/inputs/data", r.command());
        assertEquals(
                List.of(
                        new Sandbox.Mount(Path.of(ATTEMPT + "/rank-0"), Sandbox.WORK_DIR, false),
                        new Sandbox.Mount(Path.of(ATTEMPT + "/inputs/data"), "/mnt/azureml/inputs/data", true),
                        new Sandbox.Mount(Path.of(ATTEMPT + "/outputs/out"), "/mnt/azureml/outputs/out", false)),
                r.mounts());
        assertFalse(r.environment().containsKey("PATH"), "the image's own PATH applies, never the agent's");
        assertEquals("/mnt/azureml/wd", r.environment().get("HOME"));
        assertEquals("0.1", r.environment().get("LR"));
        JobSpec s = a.spec();
        JobAssigned multiline = new JobAssigned(
                "j1",
                "cpu",
                List.of("n1"),
                new JobSpec(
                        "python t.py",
                        1,
                        Map.of("PEM", "a\nb"),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        Map.of(),
                        Map.of(),
                        s.environment(),
                        null,
                        null),
                2,
                a.at());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> RunPlanner.plan(multiline, 0, facts(true, true, container), Map.of()));
        assertTrue(e.getMessage().startsWith("environment variable PEM holds a line break"), e.getMessage());
    }

    @Test
    void anImageGivesTheBaseEnvironmentAndThePathAndTheJobsVariablesWin() {
        RunPlan plan = RunPlanner.plan(
                job("ls", Map.of(), Map.of(), null),
                0,
                facts(true, true, new Resolution.Image(image(), "imported")),
                Map.of());
        Map<String, String> env = plan.ranks().get(0).environment();
        assertEquals("/usr/local/bin:/usr/bin", env.get("PATH"), "never the agent's PATH in an image");
        assertEquals("C.UTF-8", env.get("LANG"));
        assertEquals("0.1", env.get("LR"), "the job's environment_variables over the image's Env");
    }

    @Test
    void uploadsOutputsThenEachRanksArtifactsAndLogAndNamesThemInTheManifest() {
        JobAssigned a = job("ls", Map.of(), out("out", new JobOutput(null, DS + "mine/place", null)), null);
        RunPlan plan = RunPlanner.plan(a, 0, facts(true, true, HOST), Map.of());
        assertEquals(
                List.of(
                        new RunPlan.Upload(
                                "output out",
                                Path.of(ATTEMPT + "/outputs/out"),
                                true,
                                "workspaceblobstore",
                                "mine/place/"),
                        new RunPlan.Upload(
                                "./outputs of rank 0",
                                Path.of(ATTEMPT + "/rank-0/outputs"),
                                true,
                                "workspaceblobstore",
                                "azureml/j1/artifacts/outputs/"),
                        new RunPlan.Upload(
                                "./logs of rank 0",
                                Path.of(ATTEMPT + "/rank-0/logs"),
                                true,
                                "workspaceblobstore",
                                "azureml/j1/artifacts/logs/"),
                        new RunPlan.Upload(
                                "the log of rank 0",
                                Path.of(ATTEMPT + "/rank-0.log"),
                                false,
                                "workspaceblobstore",
                                "azureml/j1/artifacts/user_logs/std_log_rank_0.txt")),
                plan.uploads());
        assertEquals(Map.of("out", DS + "mine/place/"), plan.manifest());
    }

    @Test
    void resolvedInputsAreFetchedFromWhereTheyAreButNamedAsWritten() {
        JobAssigned a = job(
                "cat ${{inputs.prev}}",
                in("prev", JobInput.data("uri_file", "azureml:iris@latest", null)),
                Map.of(),
                null);
        RunPlan plan = RunPlanner.plan(a, 0, facts(true, true, HOST), Map.of("prev", DS + "assets/iris.csv"));
        RunPlan.InputStep step = plan.inputs().get(0);
        assertEquals(DS + "assets/iris.csv", step.uri());
        assertEquals("azureml:iris@latest", step.written());
        assertEquals("iris.csv", step.fileName());
        assertTrue(plan.ranks().get(0).command().endsWith("/mnt/azureml/inputs/prev/iris.csv"));
    }

    static JobAssigned withCheckpoint(Map<String, String> tags, Map<String, JobOutput> out, int attempt) {
        JobSpec spec = new JobSpec(
                "python train.py --ckpt ${{outputs.ckpt}}",
                1,
                Map.of(),
                null,
                null,
                null,
                null,
                null,
                null,
                Map.of(),
                out,
                null,
                tags,
                null);
        return new JobAssigned("j1", "cpu", List.of("n1"), spec, attempt, Instant.parse("2026-12-01T10:00:00Z"));
    }

    @Test
    void theCheckpointOutputIsRestoredFromTheSecondAttemptOn() {
        Map<String, JobOutput> out = out("ckpt", new JobOutput(null, null, null));
        Map<String, String> tags = Map.of("ebbtide.checkpoint", "ckpt");
        RunPlan first = RunPlanner.plan(withCheckpoint(tags, out, 1), 0, facts(true, true, HOST), Map.of());
        assertEquals(
                new RunPlan.Checkpoint(
                        "ckpt",
                        Path.of("/w/nodes/n1/jobs/j1/attempt-1/outputs/ckpt"),
                        "workspaceblobstore",
                        "azureml/j1/ckpt/",
                        false),
                first.checkpoint(),
                "attempt 1 has nothing to restore");
        RunPlan third = RunPlanner.plan(withCheckpoint(tags, out, 3), 0, facts(true, true, HOST), Map.of());
        assertEquals(
                new RunPlan.Checkpoint(
                        "ckpt",
                        Path.of("/w/nodes/n1/jobs/j1/attempt-3/outputs/ckpt"),
                        "workspaceblobstore",
                        "azureml/j1/ckpt/",
                        true),
                third.checkpoint(),
                "the same datastore path every attempt, into this attempt's folder");
        assertEquals("3", third.ranks().get(0).environment().get("EBBTIDE_ATTEMPT"));
        assertEquals(
                null,
                RunPlanner.plan(withCheckpoint(Map.of(), out, 2), 0, facts(true, true, HOST), Map.of())
                        .checkpoint(),
                "no tag, no checkpoint");
    }

    @Test
    void aCheckpointTagNamingNoFolderOutputIsRefusedInOneSentence() {
        Map<String, JobOutput> out = out("ckpt", new JobOutput(null, null, null));
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> RunPlanner.plan(
                        withCheckpoint(Map.of("ebbtide.checkpoint", "state"), out, 1),
                        0,
                        facts(true, true, HOST),
                        Map.of()));
        assertEquals(
                "tags.ebbtide.checkpoint names output 'state', which the job does not declare; declared outputs: ckpt",
                missing.getMessage());
        IllegalArgumentException file = assertThrows(
                IllegalArgumentException.class,
                () -> RunPlanner.plan(
                        withCheckpoint(
                                Map.of("ebbtide.checkpoint", "ckpt"),
                                out("ckpt", new JobOutput("uri_file", DS + "c/model.pt", null)),
                                1),
                        0,
                        facts(true, true, HOST),
                        Map.of()));
        assertTrue(
                file.getMessage().endsWith("a checkpoint is a folder: give the output type uri_folder"),
                file.getMessage());
    }
}
