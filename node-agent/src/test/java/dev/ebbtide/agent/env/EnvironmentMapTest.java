package dev.ebbtide.agent.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.agent.env.EnvironmentMap.Resolution;
import dev.ebbtide.common.job.JobEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EnvironmentMapTest {
    private static final ImportedImage TOOLS =
            new ImportedImage("docker.io/library/tools:1", Path.of("/images/tools/rootfs"), List.of(), null, 1);
    private static final Function<String, Optional<ImportedImage>> IMAGES =
            ref -> ImageName.normalize(ref).equals(TOOLS.name()) ? Optional.of(TOOLS) : Optional.empty();

    static EnvironmentMap shipped() throws IOException {
        return EnvironmentMap.parse(Files.readString(Path.of("../environments/local.yml")));
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("no environment: the node's own system", null, "Host", null),
                Arguments.of(
                        "curated sklearn from the registry: Debian's python with sklearn",
                        new JobEnvironment(
                                null,
                                "azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
                                null,
                                null),
                        "Host",
                        "/usr/bin/python3"),
                Arguments.of(
                        "library/python:latest as the basics write it",
                        new JobEnvironment("library/python:latest", null, null, null),
                        "Host",
                        "/usr/bin/python3"),
                Arguments.of(
                        "bare python image",
                        new JobEnvironment("python", null, null, null),
                        "Host",
                        "/usr/bin/python3"),
                Arguments.of(
                        "an imported image runs in its root filesystem",
                        new JobEnvironment("tools:1", null, null, null),
                        "Image",
                        null),
                Arguments.of(
                        "an image nobody imported or mapped",
                        new JobEnvironment("mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04", null, null, null),
                        "Unavailable",
                        null),
                Arguments.of(
                        "a workspace environment nobody mapped",
                        new JobEnvironment(null, "azureml:my-env@latest", null, null),
                        "Unavailable",
                        null),
                Arguments.of(
                        "a conda file on a mapped image is refused (no conda here)",
                        new JobEnvironment("python:3.11", null, "dependencies: [numpy]", null),
                        "Unavailable",
                        null),
                Arguments.of(
                        "a docker build context",
                        new JobEnvironment(null, null, null, "./docker-context"),
                        "Unavailable",
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void resolvesWithTheShippedMapping(String row, JobEnvironment env, String kind, String python) throws IOException {
        Resolution r = shipped().resolve(env, IMAGES, "cpu-cluster-0");
        assertEquals(kind, r.getClass().getSimpleName(), row + ": " + r);
        if (r instanceof Resolution.Host h) {
            assertEquals(python, h.python(), row);
        }
        if (r instanceof Resolution.Unavailable u) {
            assertTrue(u.sentence().contains(env.describe()), "names the environment: " + u.sentence());
            assertTrue(u.sentence().contains("cpu-cluster-0"), "names the node: " + u.sentence());
            assertFalse(u.sentence().contains("\n"), "one line: " + u.sentence());
        }
    }

    @Test
    void sklearnNeedsDebiansPackages() throws IOException {
        Resolution r = shipped()
                .resolve(
                        new JobEnvironment(
                                null,
                                "azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
                                null,
                                null),
                        IMAGES,
                        "n");
        assertEquals(
                List.of("python3-sklearn", "python3-pandas"),
                assertInstanceOf(Resolution.Host.class, r).packages());
    }

    @Test
    void aRuleMayMapToAnImportedImageAndSaysWhenItIsMissing() {
        EnvironmentMap map = EnvironmentMap.parse("- {match: 'azureml:tools@*', runtime: image, image: 'tools:1'}\n"
                + "- {match: 'azureml:gone@*', runtime: image, image: 'gone:2'}\n");
        assertInstanceOf(
                Resolution.Image.class,
                map.resolve(new JobEnvironment(null, "azureml:tools@latest", null, null), IMAGES, "n"));
        Resolution missing = map.resolve(new JobEnvironment(null, "azureml:gone@latest", null, null), IMAGES, "n");
        assertTrue(assertInstanceOf(Resolution.Unavailable.class, missing)
                .sentence()
                .contains("gone:2"));
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("not a list", "match: x", "must be a list"),
                Arguments.of("no match", "- {runtime: host}", "no match pattern"),
                Arguments.of("unknown runtime", "- {match: x, runtime: docker}", "runtime: host or runtime: image"),
                Arguments.of("image rule without image", "- {match: x, runtime: image}", "names no image"),
                Arguments.of("unknown field", "- {match: x, runtime: host, pyton: /usr/bin/python3}", "'pyton'"),
                Arguments.of("bad conda_file", "- {match: x, runtime: host, conda_file: build}", "conda_file"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void refusesABadMappingWithOneSentence(String row, String yaml, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EnvironmentMap.parse(yaml));
        assertTrue(e.getMessage().contains(expected), row + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), row);
    }

    @Test
    void imageNamesAreComparedAsDockerResolvesThem() {
        assertEquals("docker.io/library/python:latest", ImageName.normalize("python"));
        assertEquals("docker.io/library/python:latest", ImageName.normalize("library/python:latest"));
        assertEquals("docker.io/org/img:2", ImageName.normalize("org/img:2"));
        assertEquals(
                "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest",
                ImageName.normalize("mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04"));
        assertEquals("localhost:5000/x:latest", ImageName.normalize("localhost:5000/x"));
        assertThrows(IllegalArgumentException.class, () -> ImageName.normalize("not an image"));
    }

    static Stream<Arguments> dockerRows() {
        EnvironmentMap map = EnvironmentMap.parse("- match: 'image:docker.io/library/mapped:*'\n  runtime: host\n");
        return Stream.of(
                Arguments.of("no environment: still the host, in bwrap", map, null, "Host"),
                Arguments.of("an imported image keeps its unpacked root", map, env("tools:1", null), "Image"),
                Arguments.of("a mapped image follows its rule", map, env("mapped:2", null), "Host"),
                Arguments.of("any other image runs in its container", map, env("python:3.11", null), "Container"),
                Arguments.of(
                        "an image with a conda file is refused (no build on nodes)",
                        map,
                        env("python:3.11", "conda.yml"),
                        "Unavailable"),
                Arguments.of("an invalid reference is refused", map, env("Bad/Name", null), "Unavailable"),
                Arguments.of(
                        "a named environment stays unavailable without a rule",
                        map,
                        new JobEnvironment(null, "azureml:x@latest", null, null),
                        "Unavailable"));
    }

    static JobEnvironment env(String image, String conda) {
        return new JobEnvironment(image, null, conda, null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dockerRows")
    void withRuntimeDocker(String row, EnvironmentMap map, JobEnvironment env, String kind) {
        EnvironmentMap.Resolution r = map.resolve(env, IMAGES, "n1", true);
        assertEquals(kind, r.getClass().getSimpleName(), r.toString());
        if (r instanceof EnvironmentMap.Resolution.Container c) {
            assertEquals("docker.io/library/python:3.11", c.image());
        }
        if (env != null && env.image() != null && !"Host".equals(kind) && !"Image".equals(kind)) {
            assertEquals(
                    "Unavailable",
                    map.resolve(env, IMAGES, "n1", false).getClass().getSimpleName(),
                    "without runtime=docker the same image is refused");
        }
    }
}
