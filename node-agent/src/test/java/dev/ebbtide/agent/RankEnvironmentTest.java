package dev.ebbtide.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.Distribution;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RankEnvironmentTest {
    static final Layout LAYOUT = new Layout(Path.of("/w/nodes/n1"));
    static final RankEnvironment.Node N1 =
            new RankEnvironment.Node("n1", "10.0.0.5", 29501, LAYOUT, "/opt/bin:/usr/bin");
    static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");

    static JobAssigned job(
            Distribution d, Map<String, String> env, List<String> nodes, List<String> addresses, List<Integer> ports) {
        return new JobAssigned(
                "j1",
                "cpu",
                nodes,
                new JobSpec("python3 train.py", nodes.size(), env, null, null, null, null, d),
                2,
                addresses,
                ports,
                AT);
    }

    static JobAssigned threeNodes(Distribution d) {
        return job(
                d,
                Map.of("LR", "0.1"),
                List.of("n0", "n1", "n2"),
                List.of("10.0.0.4", "10.0.0.5", "10.0.0.6"),
                List.of(29500, 29501, 29502));
    }

    @ParameterizedTest(name = "pytorch node {0} local {1}")
    @CsvSource({
        // nodeRank, localRank, RANK, LOCAL_RANK, work dir rank
        "0, 0, 0, 0",
        "0, 1, 1, 1",
        "1, 0, 2, 0",
        "2, 1, 5, 1",
    })
    void pytorchAsAzureMlSetsIt(int nodeRank, int localRank, String rank, String localRankValue) {
        Map<String, String> env =
                RankEnvironment.build(threeNodes(new Distribution("pytorch", 2, null, null)), nodeRank, localRank, N1);
        assertEquals("10.0.0.4", env.get("MASTER_ADDR"));
        assertEquals("29500", env.get("MASTER_PORT"));
        assertEquals("6", env.get("WORLD_SIZE"));
        assertEquals(rank, env.get("RANK"));
        assertEquals(localRankValue, env.get("LOCAL_RANK"));
        assertEquals(String.valueOf(nodeRank), env.get("NODE_RANK"));
        assertEquals("3", env.get("NODE_COUNT"));
        assertEquals("/w/nodes/n1/jobs/j1/attempt-2/rank-" + rank, env.get("HOME"));
        assertEquals(env.get("HOME"), env.get("EBBTIDE_WORK_DIR"));
    }

    @ParameterizedTest(name = "tensorflow node {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0 | {\"cluster\":{\"worker\":[\"10.0.0.5:29501\",\"10.0.0.6:29502\"],\"ps\":[\"10.0.0.4:29500\"]},\"task\":{\"type\":\"ps\",\"index\":0}}",
                "1 | {\"cluster\":{\"worker\":[\"10.0.0.5:29501\",\"10.0.0.6:29502\"],\"ps\":[\"10.0.0.4:29500\"]},\"task\":{\"type\":\"worker\",\"index\":0}}",
                "2 | {\"cluster\":{\"worker\":[\"10.0.0.5:29501\",\"10.0.0.6:29502\"],\"ps\":[\"10.0.0.4:29500\"]},\"task\":{\"type\":\"worker\",\"index\":1}}",
            })
    void tensorflowFirstNodesAreParameterServers(int nodeRank, String tfConfig) {
        JobAssigned a = threeNodes(new Distribution("tensorflow", 4, null, 1));
        assertEquals(tfConfig, RankEnvironment.build(a, nodeRank, 0, N1).get("TF_CONFIG"));
        assertEquals(1, RankEnvironment.processesPerNode(a.spec()), "tensorflow runs one process per node");
    }

    @Test
    void tensorflowWithoutParameterServersListsOnlyWorkers() {
        String tf = RankEnvironment.build(threeNodes(new Distribution("tensorflow", null, 3, null)), 1, 0, N1)
                .get("TF_CONFIG");
        assertEquals(
                "{\"cluster\":{\"worker\":[\"10.0.0.4:29500\",\"10.0.0.5:29501\",\"10.0.0.6:29502\"]},"
                        + "\"task\":{\"type\":\"worker\",\"index\":1}}",
                tf);
    }

    @Test
    void mpiRanksAndHostFile() {
        JobAssigned a = threeNodes(new Distribution("mpi", 2, null, null));
        Map<String, String> env = RankEnvironment.build(a, 1, 1, N1);
        assertEquals("3", env.get("OMPI_COMM_WORLD_RANK"));
        assertEquals("6", env.get("OMPI_COMM_WORLD_SIZE"));
        assertEquals("1", env.get("OMPI_COMM_WORLD_LOCAL_RANK"));
        assertEquals("2", env.get("OMPI_COMM_WORLD_LOCAL_SIZE"));
        assertEquals("1", env.get("OMPI_COMM_WORLD_NODE_RANK"));
        assertEquals("/w/nodes/n1/jobs/j1/attempt-2/hostfile", env.get("EBBTIDE_HOSTFILE"));
        assertEquals("10.0.0.4 slots=2\n10.0.0.5 slots=2\n10.0.0.6 slots=2\n", RankEnvironment.hostfile(a, N1));
        assertNull(env.get("MASTER_ADDR"));
    }

    @Test
    void oldAssignmentsWithoutAddressesFallBackToLoopback() {
        JobAssigned one = job(new Distribution("pytorch", 1, null, null), Map.of(), List.of("n1"), null, null);
        Map<String, String> env = RankEnvironment.build(one, 0, 0, N1);
        assertEquals("127.0.0.1", env.get("MASTER_ADDR"));
        assertEquals("29501", env.get("MASTER_PORT"), "one node: its own port");
        JobAssigned two = job(new Distribution("pytorch", 1, null, null), Map.of(), List.of("n0", "n1"), null, null);
        Map<String, String> env2 = RankEnvironment.build(two, 1, 0, N1);
        assertEquals("127.0.0.1", env2.get("MASTER_ADDR"));
        assertEquals("29500", env2.get("MASTER_PORT"), "several nodes must agree: the default port");
    }

    @Test
    void onlyTheAllowedVariablesAndNothingOfTheAgentsEnvironment() {
        JobAssigned plain = job(null, Map.of("LR", "0.1", "PATH", "/job/bin"), List.of("n0", "n1"), null, null);
        Map<String, String> env = RankEnvironment.build(plain, 1, 0, N1);
        assertEquals(
                Set.of(
                        "PATH",
                        "LR",
                        "NODE_RANK",
                        "NODE_COUNT",
                        "EBBTIDE_JOB_ID",
                        "EBBTIDE_ATTEMPT",
                        "EBBTIDE_NODE",
                        "EBBTIDE_WORK_DIR",
                        "HOME"),
                env.keySet());
        assertEquals("2", env.get("EBBTIDE_ATTEMPT"), "the assignment's attempt");
        assertEquals("/job/bin", env.get("PATH"), "the job's PATH wins over the agent's");
        Map<String, String> own = new HashMap<>(System.getenv());
        own.keySet().removeAll(env.keySet());
        own.keySet().forEach(k -> assertFalse(env.containsKey(k), k));
        JobAssigned noPath = job(null, Map.of(), List.of("n1"), null, null);
        assertEquals(
                "/opt/bin:/usr/bin", RankEnvironment.build(noPath, 0, 0, N1).get("PATH"));
        assertEquals(
                RankEnvironment.DEFAULT_PATH,
                RankEnvironment.build(noPath, 0, 0, new RankEnvironment.Node("n1", "a", 1, LAYOUT, null))
                        .get("PATH"));
    }

    @Test
    void ebbtideVariablesWinOverTheJobs() {
        JobAssigned a = job(
                new Distribution("pytorch", 1, null, null),
                Map.of("NODE_RANK", "7", "RANK", "9", "HOME", "/root"),
                List.of("n0", "n1"),
                null,
                null);
        Map<String, String> env = RankEnvironment.build(a, 1, 0, N1);
        assertEquals("1", env.get("NODE_RANK"));
        assertEquals("1", env.get("RANK"));
        assertEquals("/w/nodes/n1/jobs/j1/attempt-2/rank-1", env.get("HOME"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "BAD-NAME | x     | echo | could not start: environment variable name 'BAD-NAME' is not a POSIX name",
                "1ST      | x     | echo | could not start: environment variable name '1ST' is not a POSIX name",
                "A=B      | x     | echo | could not start: environment variable name 'A=B' is not a POSIX name",
                "OK       | a\0b  | echo | could not start: the value of environment variable OK contains a NUL character",
                "OK       | x     | '  ' | could not start: the command is empty",
                "_OK9     | x     | echo | ",
            })
    void refusesWhatCannotStart(String name, String value, String command, String problem) {
        JobAssigned a = new JobAssigned(
                "j1",
                "cpu",
                List.of("n1"),
                new JobSpec(command, 1, Map.of(name, value.replace("\\0", "\0")), null, null, null, null),
                1,
                AT);
        String found = RankEnvironment.problem(a);
        if (problem == null) {
            assertNull(found);
        } else {
            assertTrue(found != null && found.startsWith(problem), found);
        }
    }

    @Test
    void refusesUnknownDistributionsAndUnsafeJobIds() {
        JobAssigned horovod = job(new Distribution("horovod", 1, null, null), Map.of(), List.of("n1"), null, null);
        assertEquals(
                "could not start: distribution type 'horovod' is not pytorch, tensorflow or mpi",
                RankEnvironment.problem(horovod));
        JobAssigned dots = new JobAssigned(
                "../etc", "cpu", List.of("n1"), new JobSpec("echo", 1, Map.of(), null, null, null, null), 1, AT);
        assertTrue(RankEnvironment.problem(dots).startsWith("could not start: job id '../etc'"));
    }
}
