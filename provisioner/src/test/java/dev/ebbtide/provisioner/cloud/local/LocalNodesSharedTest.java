package dev.ebbtide.provisioner.cloud.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.provisioner.cloud.CallContext;
import dev.ebbtide.provisioner.cloud.CloudNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two provisioner instances on one machine share its nodes directory and port range (each as its own LocalNodes, as
 * two processes would): names and ports never collide, and every mutating call is in cloud-calls.log exactly once.
 */
class LocalNodesSharedTest {
    @TempDir
    Path work;

    final List<LocalNodes> machines = new ArrayList<>();

    LocalNodes instance(String name) {
        LocalNodes m = new LocalNodes(
                work.resolve("nodes"),
                LocalNodePoolContractTest.sleepingAgent(),
                Duration.ofMillis(500),
                Clock.systemUTC(),
                name);
        machines.add(m);
        return m;
    }

    @AfterEach
    void cleanUp() {
        LocalNodes m = instance("cleanup");
        for (String cluster : List.of("a", "b")) {
            m.delete(cluster, m.list(cluster).stream().map(CloudNode::name).toList());
        }
    }

    @Test
    void twoInstancesCreatingAtOnceGetDistinctPortsAndEveryCallIsLoggedOnceWithItsInstanceAndCause() throws Exception {
        LocalNodes one = instance("provisioner-1");
        LocalNodes two = instance("provisioner-2");
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CompletableFuture<List<String>> a =
                CompletableFuture.supplyAsync(() -> CallContext.with("req-a", () -> one.create("a", 3)), threads);
        CompletableFuture<List<String>> b =
                CompletableFuture.supplyAsync(() -> CallContext.with("req-b", () -> two.create("b", 3)), threads);
        assertEquals(List.of("a-0", "a-1", "a-2"), a.get(60, TimeUnit.SECONDS));
        assertEquals(List.of("b-0", "b-1", "b-2"), b.get(60, TimeUnit.SECONDS));
        threads.shutdown();

        Set<Integer> ports = new HashSet<>();
        for (String node : List.of("a-0", "a-1", "a-2", "b-0", "b-1", "b-2")) {
            ports.add(dev.ebbtide.common.events.EventJson.mapper()
                    .readValue(
                            work.resolve("nodes")
                                    .resolve(node)
                                    .resolve(LocalNodes.RECORD)
                                    .toFile(),
                            LocalNodes.NodeRecord.class)
                    .port());
        }
        assertEquals(6, ports.size(), "one rendezvous port per node across both instances: " + ports);

        two.delete("a", List.of("a-1")); // a takeover: the other instance deletes a node of cluster a
        one.delete("a", List.of("a-1")); // the same deletion again: nothing left to delete, nothing logged

        Path log = work.resolve(CloudCallLog.FILE);
        assertEquals(one.callLog(), log);
        List<String> calls = CloudCallLog.read(log).stream()
                .map(c -> c.instance() + " " + c.cluster() + " " + c.op() + " " + c.node() + " " + c.cause())
                .sorted()
                .toList();
        assertEquals(
                List.of(
                        "provisioner-1 a create a-0 req-a",
                        "provisioner-1 a create a-1 req-a",
                        "provisioner-1 a create a-2 req-a",
                        "provisioner-2 a delete a-1 -",
                        "provisioner-2 b create b-0 req-b",
                        "provisioner-2 b create b-1 req-b",
                        "provisioner-2 b create b-2 req-b"),
                calls);
    }
}
