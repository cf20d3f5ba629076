package dev.ebbtide.common.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ebbtide.common.Sentences;
import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.events.JobSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/** Properties of parsing (AzureMlYaml) and validation (JobRules) together, as the REST edge runs them. */
class JobRulesPropertiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whatever the text, parsing answers a job or a one-sentence InvalidSpecException, and validation answers. */
    @Property(tries = 1500)
    void anyTextIsAJobOrOneSentenceNeverACrash(@ForAll("documents") String text) {
        try {
            JobSpec spec = AzureMlYaml.parseJob(text).spec();
            assertNotNull(spec.command());
            JobRules.check(spec).ifPresent(p -> assertTrue(Sentences.isOneSentence(p), p));
        } catch (InvalidSpecException e) {
            assertTrue(Sentences.isOneSentence(e.getMessage()), () -> "not one sentence: [" + e.getMessage() + "]");
        }
    }

    /** A valid job written as JSON (which is also YAML) parses to what was written and passes every rule. */
    @Property(tries = 500)
    void validJobsParseBackAndPass(@ForAll("validJobs") Map<String, Object> job) throws Exception {
        for (String text : new String[] {
            JSON.writeValueAsString(job), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(job)
        }) {
            JobSpec spec = AzureMlYaml.parseJob(text).spec();
            assertEquals(Optional.empty(), JobRules.check(spec), text);
            assertEquals(job.get("command"), spec.command());
            assertEquals(((Map<?, ?>) job.get("resources")).get("instance_count"), spec.instanceCount());
            assertEquals(job.get("environment_variables"), spec.environmentVariables());
        }
    }

    /** An environment variable name is accepted exactly when it is a POSIX name of at most 256 characters. */
    @Property(tries = 1000)
    void envNamesFollowPosix(@ForAll @StringLength(max = 20) String name) {
        boolean posix = !name.isEmpty()
                && (Character.isLetter(name.charAt(0)) && name.charAt(0) < 128 || name.charAt(0) == '_')
                && name.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '_'));
        Optional<String> problem = JobRules.check(new JobSpec("x", 1, Map.of(name, "v"), null, null, null, null));
        assertEquals(posix, problem.isEmpty(), name + " -> " + problem);
    }

    @Provide
    Arbitrary<String> documents() {
        Arbitrary<String> fragments = Arbitraries.of(
                "command: ",
                "compute: azureml:c1\n",
                "resources: {instance_count: ",
                "2.9}",
                "1}\n",
                "-3}",
                "limits: {timeout: ",
                "\"1h\"}\n",
                "environment_variables: {",
                "A: b}",
                "1X: y}",
                "[",
                "]",
                "{",
                "}",
                "\n",
                "  ",
                "\t",
                "\"",
                "'",
                ":",
                "- ",
                "&a ",
                "*a",
                "!!binary ",
                "~",
                "null",
                "\u0000",
                "\uFFFD",
                "é",
                "type: sweep\n",
                "code: ",
                "src\n",
                "git+https://x\n",
                "inputs: {",
                "x: {type: uri_file, path: ",
                "azureml://datastores/d/paths/p}}\n",
                "n: 42}\n",
                "outputs: {o: ",
                "{mode: direct}}\n",
                "environment: ",
                "{image: python}\n",
                "azureml:env@latest\n",
                "echo ${{inputs.x}}\n",
                "$[[${{inputs.y}}]]",
                "services: {}\n",
                "name: j\n",
                "\\n",
                "queue_settings: {priority: ",
                "urgent}");
        Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(8);
        return Arbitraries.oneOf(fragments, noise).list().ofMaxSize(25).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<Map<String, Object>> validJobs() {
        Arbitrary<String> command = Arbitraries.strings()
                .withCharRange(' ', '~')
                .ofMinLength(1)
                .ofMaxLength(300)
                .filter(s -> !s.isBlank() && s.strip().equals(s));
        Arbitrary<String> envName = Arbitraries.strings()
                .withChars("ABCXYZ_abcxyz0129")
                .ofMinLength(1)
                .ofMaxLength(30)
                .filter(n -> POSIX.matcher(n).matches());
        Arbitrary<Map<String, String>> env = Arbitraries.maps(
                        envName, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40))
                .ofMaxSize(6);
        return Combinators.combine(
                        command,
                        Arbitraries.integers().between(1, 1000),
                        env,
                        Arbitraries.of("low", "medium", "high"),
                        Arbitraries.longs().between(1, 2_592_000))
                .as((c, n, e, p, t) -> {
                    Map<String, Object> job = new LinkedHashMap<>();
                    job.put("type", "command");
                    job.put("command", c);
                    job.put("compute", "azureml:c1");
                    job.put("resources", Map.of("instance_count", n));
                    job.put("environment_variables", e);
                    job.put("queue_settings", Map.of("priority", p));
                    job.put("limits", Map.of("timeout", t));
                    return job;
                });
    }

    private static final Pattern POSIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
}
