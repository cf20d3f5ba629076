package dev.ebbtide.common.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.validation.JobRules;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DefaultComputeTest {
    static final Optional<String> CPU = Optional.of("cpu-cluster");

    @Test
    void aJobNamingNoComputeGoesToTheDefaultAndOneNamingItsOwnKeepsIt() {
        assertNull(AzureMlYaml.parseJob("command: echo hi\n").compute(), "no compute line: none named");
        assertEquals("cpu-cluster", DefaultCompute.resolve(null, CPU));
        assertEquals("cpu-cluster", DefaultCompute.resolve("  ", CPU));
        assertEquals("gpu", DefaultCompute.resolve("gpu", CPU));
    }

    @Test
    void withNoDefaultTheErrorSaysWhichKeyToSet() {
        InvalidSpecException e =
                assertThrows(InvalidSpecException.class, () -> DefaultCompute.resolve(null, Optional.empty()));
        assertEquals(
                "job names no compute and no default compute is configured: add 'compute: azureml:<cluster>' to "
                        + "the job, or set ebbtide.default-compute=<cluster> (env EBBTIDE_DEFAULT_COMPUTE) on the job-submitter "
                        + "and the scheduler",
                e.getMessage());
        JobSubmitted none =
                new JobSubmitted("j-1", null, new JobSpec("echo", 1, Map.of(), null, null, null, null), Instant.EPOCH);
        assertEquals(Optional.of(DefaultCompute.NONE_CONFIGURED), JobRules.check(none), "the Kafka path says the same");
    }

    @Test
    void aKafkaSubmissionWithoutClusterGetsTheDefaultBeforeItIsChecked() {
        JobSubmitted none =
                new JobSubmitted("j-1", null, new JobSpec("echo", 1, Map.of(), null, null, null, null), Instant.EPOCH);
        byte[] filled = DefaultCompute.fill(EventJson.write(none).getBytes(StandardCharsets.UTF_8), CPU);
        JobSubmitted read = EventJson.read(new String(filled, StandardCharsets.UTF_8), JobSubmitted.class);
        assertEquals("cpu-cluster", read.cluster());
        assertEquals(Optional.empty(), JobRules.check(read));

        byte[] named = EventJson.write(new JobSubmitted("j-2", "gpu", none.spec(), Instant.EPOCH))
                .getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(named, DefaultCompute.fill(named, CPU), "a named cluster is left alone");
        byte[] junk = "not json".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(junk, DefaultCompute.fill(junk, CPU), "left for the decoder to dead-letter");
        byte[] blank = "{\"jobId\":\"j-3\",\"cluster\":\"\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(
                "cpu-cluster",
                EventJson.read(new String(DefaultCompute.fill(blank, CPU), StandardCharsets.UTF_8), JobSubmitted.class)
                        .cluster());
        assertArrayEquals(blank, DefaultCompute.fill(blank, Optional.empty()), "no default: unchanged");
    }
}
