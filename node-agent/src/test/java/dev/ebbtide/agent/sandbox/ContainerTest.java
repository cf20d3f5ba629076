package dev.ebbtide.agent.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.agent.env.ImageName;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code docker run} argv of a container rank, row by row: pure, no Docker engine needed. */
class ContainerTest {
    static final String IMAGE = "docker.io/library/python:3.11";
    static final Path ENV = Path.of("/var/lib/ebbtide-agent/ranks/j1#1#0.env");
    static final Sandbox.Mount WD = new Sandbox.Mount(Path.of("/w/jobs/j1/attempt-1/rank-0"), Sandbox.WORK_DIR, false);
    static final List<String> HEAD = List.of(
            "/usr/bin/docker",
            "run",
            "--rm",
            "--name",
            "ebbtide-j1-1-0",
            "--init",
            "--pull",
            "never",
            "--user",
            "65534:65534",
            "--security-opt",
            "no-new-privileges",
            "--cap-drop",
            "ALL",
            "--network",
            "host",
            "--shm-size",
            "2g");
    static final List<String> WD_V = List.of("-v", "/w/jobs/j1/attempt-1/rank-0:/mnt/azureml/wd");
    static final List<String> TAIL_ENV = List.of("-w", "/mnt/azureml/wd", "--env-file", ENV.toString());
    static final List<String> END = List.of("--entrypoint", "", IMAGE);

    static Container.Spec spec(List<Sandbox.Mount> mounts, int gpus) {
        return new Container.Spec("/usr/bin/docker", "ebbtide-j1-1-0", IMAGE, JobUser.NOBODY, mounts, ENV, gpus);
    }

    @SafeVarargs
    static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) {
            all.addAll(p);
        }
        return all;
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of(
                        "plain: the working directory only, no GPU, the command runs as written (entrypoint reset)",
                        spec(List.of(WD), 0),
                        concat(HEAD, WD_V, TAIL_ENV, END)),
                Arguments.of(
                        "inputs read-only, outputs and the working directory writable, the mpi host file read-only",
                        spec(
                                List.of(
                                        WD,
                                        new Sandbox.Mount(Path.of("/w/hostfile"), Sandbox.HOSTFILE, true),
                                        new Sandbox.Mount(Path.of("/w/inputs/iris"), Sandbox.INPUTS + "/iris", true),
                                        new Sandbox.Mount(
                                                Path.of("/w/outputs/model"), Sandbox.OUTPUTS + "/model", false)),
                                0),
                        concat(
                                HEAD,
                                WD_V,
                                List.of("-v", "/w/hostfile:/mnt/azureml/hostfile:ro"),
                                List.of("-v", "/w/inputs/iris:/mnt/azureml/inputs/iris:ro"),
                                List.of("-v", "/w/outputs/model:/mnt/azureml/outputs/model"),
                                TAIL_ENV,
                                END)),
                Arguments.of(
                        "GPU size: every GPU of the node is passed",
                        spec(List.of(WD), 4),
                        concat(HEAD, WD_V, TAIL_ENV, List.of("--gpus", "all"), END)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void argv(String row, Container.Spec spec, List<String> expected) {
        assertEquals(expected, Container.argv(spec));
    }

    @Test
    void theEnvironmentIsNeverOnTheCommandLine() {
        List<String> argv = Container.argv(spec(List.of(WD), 1));
        assertFalse(argv.contains("-e") || argv.contains("--env"), "values in argv are visible in ps: " + argv);
        assertTrue(argv.stream().noneMatch(a -> a.contains("SECRET")), argv.toString());
        assertEquals(ENV.toString(), argv.get(argv.indexOf("--env-file") + 1));
    }

    @Test
    void envFileTakesValuesVerbatimAndRefusesLineBreaks() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GREETING", "hello big  world ");
        env.put("QUOTED", "'a' \"b\" $HOME x=y #not a comment");
        env.put("EMPTY", "");
        assertEquals(
                "GREETING=hello big  world \nQUOTED='a' \"b\" $HOME x=y #not a comment\nEMPTY=\n",
                Container.envFile(env),
                "docker reads a value verbatim up to the end of its line: spaces, quotes, $ and = stay");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Container.envFile(Map.of("PEM", "line one\nline two")));
        assertEquals(
                "environment variable PEM holds a line break, which docker's --env-file cannot pass into the job's"
                        + " container; put the value in a file of the job's code instead",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Container.envFile(Map.of("CR", "a\rb")));
        assertThrows(IllegalArgumentException.class, () -> Container.envFile(Map.of("BAD-NAME", "x")));
    }

    @Test
    void aHostPathDockerVCannotBindIsRefused() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Container.argv(spec(List.of(new Sandbox.Mount(Path.of("/w/a:b"), Sandbox.WORK_DIR, false)), 0)));
        assertTrue(e.getMessage().contains("/w/a:b"), e.getMessage());
    }

    @Test
    void containerNamesAreWhatDockerAccepts() {
        assertEquals("ebbtide-j1-2-3", Container.name("j1", 2, 3));
        assertEquals("ebbtide-job_x_y-1-0", Container.name("job x#y", 1, 0));
    }

    static Stream<Arguments> images() {
        return Stream.of(
                Arguments.of("official image", "python:3.11", "docker.io/library/python:3.11"),
                Arguments.of("no tag means latest", "ubuntu", "docker.io/library/ubuntu:latest"),
                Arguments.of(
                        "Azure ML's curated image on MCR",
                        "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest",
                        "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest"),
                Arguments.of(
                        "ACR with a port and a digest",
                        "myacr.azurecr.io:443/team/train@sha256:" + "a".repeat(64),
                        "myacr.azurecr.io:443/team/train@sha256:" + "a".repeat(64)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void validImageReferences(String row, String written, String normalized) {
        assertEquals(normalized, ImageName.docker(written));
    }

    static Stream<Arguments> badImages() {
        return Stream.of(
                Arguments.of("uppercase repository (docker refuses it)", "MyTeam/Train:1"),
                Arguments.of("an option in disguise", "--privileged"),
                Arguments.of("spaces", "python 3.11"),
                Arguments.of("a tag with a slash", "python:3.11/x"),
                Arguments.of("a short digest", "python@sha256:abc"),
                Arguments.of("empty", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badImages")
    void invalidImageReferencesAreRefusedWithOneSentence(String row, String written) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageName.docker(written));
        assertTrue(
                e.getMessage()
                        .startsWith("the image '" + written.strip() + "' is not a valid container image reference"),
                e.getMessage());
    }
}
