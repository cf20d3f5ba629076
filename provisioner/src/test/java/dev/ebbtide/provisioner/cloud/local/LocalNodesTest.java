package dev.ebbtide.provisioner.cloud.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.provisioner.cloud.CloudNode;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine as a cloud, with real processes: records on disk, detached agents, deletion kills like a VM's. */
class LocalNodesTest {
    @TempDir
    Path work;

    LocalNodes machine;

    LocalNodes machine(LocalNodes.AgentCommand agent) {
        return new LocalNodes(work.resolve("nodes"), agent, Duration.ofMillis(500), Clock.systemUTC());
    }

    @AfterEach
    void cleanUp() {
        if (machine != null) {
            for (String cluster : List.of("a", "b")) {
                machine.delete(
                        cluster,
                        machine.list(cluster).stream().map(CloudNode::name).toList());
            }
        }
    }

    @Test
    void aRestartedProvisionerListsTheSameNodesWhoseAgentsStillRun() throws Exception {
        machine = machine(LocalNodePoolContractTest.sleepingAgent());
        List<String> created = machine.create("a", 2);
        assertEquals(List.of("a-0", "a-1"), created);
        LocalNodes afterRestart = machine(LocalNodePoolContractTest.sleepingAgent());
        assertEquals(
                created, afterRestart.list("a").stream().map(CloudNode::name).toList());
        for (String node : created) {
            long pid = record(node).pid();
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), node + "'s agent runs");
        }
        assertEquals(List.of("a-2"), afterRestart.create("a", 1), "names are never reused");
        machine = afterRestart;
    }

    @Test
    void deletingANodeKillsAnAgentThatIgnoresSigtermAndEveryProcessGroupItRecorded() throws Exception {
        machine = machine((cluster, node, port, dir) ->
                List.of("sh", "-c", "trap '' TERM; sleep 600; true", "agent", "--work-dir=" + dir));
        String node = machine.create("a", 1).get(0);
        long agentPid = record(node).pid();
        Process rank = new ProcessBuilder("setsid", "sleep", "701").start(); // a rank in a process group of its own
        Path ranks = Files.createDirectories(work.resolve("nodes").resolve(node).resolve("ranks"));
        Files.writeString(ranks.resolve("job-1#1#0.pgid"), Long.toString(rank.pid()));

        machine.delete("a", List.of(node));
        assertEquals(List.of(), machine.list("a"));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !rank.isAlive()
                        && ProcessHandle.of(agentPid).map(h -> !h.isAlive()).orElse(true));
        assertTrue(Files.exists(work.resolve("nodes").resolve(node).resolve("agent.log")), "the node's logs stay");
    }

    @Test
    void everyNodeGetsItsOwnFreeRendezvousPortAcrossClusters() throws Exception {
        machine = machine(LocalNodePoolContractTest.sleepingAgent());
        try (ServerSocket busy = new ServerSocket(0)) {
            Set<Integer> ports = new HashSet<>();
            machine.create("a", 2).forEach(n -> ports.add(record(n).port()));
            machine.create("b", 1).forEach(n -> ports.add(record(n).port()));
            assertEquals(3, ports.size(), "distinct: " + ports);
            assertFalse(ports.contains(busy.getLocalPort()));
            ports.forEach(p -> assertTrue(p >= LocalNodes.FIRST_PORT, "from " + LocalNodes.FIRST_PORT + ": " + p));
        }
        try (ServerSocket taken = new ServerSocket(nextCandidate())) {
            int port = record(machine.create("b", 1).get(0)).port();
            assertNotEquals(taken.getLocalPort(), port, "a port something else listens on is skipped");
        }
    }

    @Test
    void theAgentGetsNoneOfTheProvisionersEnvironment() throws Exception {
        machine = machine((cluster, node, port, dir) ->
                List.of("sh", "-c", "env > env.txt; sleep 600; true", "agent", "--work-dir=" + dir));
        String node = machine.create("a", 1).get(0);
        Path env = work.resolve("nodes").resolve(node).resolve("env.txt");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(env) && Files.size(env) > 0);
        for (String line : Files.readAllLines(env)) {
            String name = line.substring(0, line.indexOf('='));
            assertTrue(Set.of("PATH", "HOME", "LANG", "TZ", "PWD", "SHLVL", "_").contains(name), line);
        }
    }

    /** The first port a new node would get (not taken by a node, free now). */
    private int nextCandidate() throws Exception {
        Set<Integer> taken = new HashSet<>();
        for (String c : List.of("a", "b")) {
            machine.list(c).forEach(n -> taken.add(record(n.name()).port()));
        }
        for (int p = LocalNodes.FIRST_PORT; ; p++) {
            if (!taken.contains(p)) {
                try (ServerSocket s = new ServerSocket(p)) {
                    return p;
                } catch (java.io.IOException inUse) {
                    // try the next one
                }
            }
        }
    }

    private LocalNodes.NodeRecord record(String node) {
        try {
            return EventJson.mapper()
                    .readValue(
                            work.resolve("nodes")
                                    .resolve(node)
                                    .resolve(LocalNodes.RECORD)
                                    .toFile(),
                            LocalNodes.NodeRecord.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
