package dev.ebbtide.common.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.Distribution;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.job.JobInput;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobRulesTest {
    private static JobSpec spec(String command, int n, Map<String, String> env, Long timeout) {
        return new JobSpec(command, n, env, null, null, "medium", timeout);
    }

    private static JobSpec withInputs(String command, Map<String, JobInput> inputs) {
        return spec(command, 1, null, null).withData(null, inputs, null);
    }

    @Test
    void eachLimitHasItsSentence() {
        Map<JobSpec, String> cases = new java.util.LinkedHashMap<>();
        cases.put(spec(" ", 1, null, null), "command is missing or empty");
        cases.put(spec("x".repeat(65_537), 1, null, null), "command is 65537 bytes, more than 65536");
        cases.put(spec("a\0b", 1, null, null), "command contains a NUL character");
        cases.put(spec("x", 0, null, null), "instance_count must be a whole number from 1 to 1000, got 0");
        cases.put(spec("x", 1001, null, null), "instance_count must be a whole number from 1 to 1000, got 1001");
        cases.put(spec("x", 1, null, 0L), "limits.timeout must be from 1 to 2592000 seconds, got 0");
        cases.put(spec("x", 1, null, 2_592_001L), "limits.timeout must be from 1 to 2592000 seconds, got 2592001");
        cases.put(spec("x", 1, Map.of("1X", "v"), null), "environment variable name '1X' is not a POSIX name");
        cases.put(spec("x", 1, Map.of("A=B", "v"), null), "environment variable name 'A=B' is not a POSIX name");
        cases.put(spec("x", 1, Map.of("N".repeat(257), "v"), null), "environment variable name 'NNNN");
        cases.put(
                spec("x", 1, Map.of("BIG", "v".repeat(32 * 1024 + 1)), null),
                "environment variable BIG is 32769 bytes");
        cases.put(spec("x", 1, Map.of("Z", "a\0"), null), "environment variable Z contains a NUL character");
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 257; i++) {
            many.put("V" + i, "x");
        }
        cases.put(spec("x", 1, many, null), "environment_variables has 257 variables, more than 256");
        cases.put(new JobSpec("x", 1, null, "d".repeat(257), null, "medium", null), "display_name is 257 characters");
        cases.put(new JobSpec("x", 1, null, null, null, "urgent", null), "priority must be low, medium or high");
        cases.put(
                new JobSpec("x", 1, null, null, null, null, null, new Distribution("horovod", null, null, null)),
                "distribution.type must be pytorch, tensorflow or mpi");
        cases.put(
                new JobSpec("x", 1, null, null, null, null, null, new Distribution("pytorch", 0, null, null)),
                "distribution.process_count_per_instance must be from 1 to 1024");
        cases.put(
                withInputs("ls ${{inputs.d}}", Map.of("d", JobInput.data("uri_folder", null, null))),
                "inputs.d has no path: a local path is uploaded before submission");
        cases.put(withInputs("echo", Map.of("n", JobInput.literal("integer", null))), "inputs.n has no value");
        cases.put(
                withInputs("ls", Map.of("t", JobInput.data("mltable", "azureml:t@latest", null))),
                "inputs.t.type must be string, integer, number, boolean, uri_file");
        cases.put(
                withInputs("echo ${{inputs.missing}}", Map.of()),
                "command refers to ${{inputs.missing}} but the job declares no input 'missing'");
        cases.forEach((spec, sentence) -> {
            Optional<String> problem = JobRules.check(spec);
            assertTrue(problem.isPresent() && problem.get().startsWith(sentence), sentence + " <> " + problem);
        });
    }

    @Test
    void aJobAtEveryLimitPasses() {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < 255; i++) {
            env.put("_V" + i, "x");
        }
        env.put("N".repeat(256), "v".repeat(1000));
        JobSpec spec = new JobSpec(
                "x".repeat(1000),
                1000,
                env,
                "d".repeat(256),
                "e".repeat(256),
                "high",
                2_592_000L,
                new Distribution("pytorch", 1024, null, null));
        assertEquals(Optional.empty(), JobRules.check(spec));
        assertEquals(Optional.empty(), JobRules.check(new JobSubmitted("id-1", "c1", spec, Instant.now())));
    }

    @Test
    void theWholeSubmissionHasASizeAndNeedsItsIdentity() {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            env.put("V" + i, "v".repeat(30 * 1024));
        }
        JobSpec big = spec("x", 1, env, null);
        assertTrue(JobRules.check(new JobSubmitted("j", "c1", big, null))
                .orElseThrow()
                .contains("bytes as JSON, more than 524288"));
        assertEquals(
                "jobId is missing or empty",
                JobRules.check(new JobSubmitted(" ", "c1", spec("x", 1, null, null), null))
                        .orElseThrow());
        assertTrue(JobRules.check(new JobSubmitted("j", "Bad", spec("x", 1, null, null), null))
                .orElseThrow()
                .startsWith("cluster 'Bad'"));
        assertEquals(
                "spec is missing",
                JobRules.check(new JobSubmitted("j", "c1", null, null)).orElseThrow());
    }

    @Test
    void unknownFieldsAreNamedWithTheLikelyIntendedOne() {
        List<String> known = List.of("min_instances", "max_instances", "idle_time_before_scale_down", "policy");
        assertEquals(Optional.empty(), UnknownFields.problem(List.of("policy"), known));
        assertTrue(UnknownFields.problem(List.of("max_instance"), known)
                .orElseThrow()
                .startsWith("unknown field 'max_instance' (did you mean 'max_instances'?)"));
        assertTrue(UnknownFields.problem(List.of("colour"), known).orElseThrow().startsWith("unknown field 'colour';"));
    }
}
