package dev.ebbtide.provisioner.cloud.local;

import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.cloud.NodePoolContractTest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider contract against {@code local}: the same tests the Azure adapter passes, with real detached processes
 * standing in for the node agents (a shell that sleeps), so creating and deleting nodes really starts and kills them.
 */
class LocalNodePoolContractTest extends NodePoolContractTest {
    @TempDir
    Path work;

    private final List<NodePool> pools = new ArrayList<>();

    static LocalNodes.AgentCommand sleepingAgent() {
        return (cluster, node, port, dir) ->
                List.of("sh", "-c", "echo $$ > agent.pid; sleep 600; true", "agent", "--work-dir=" + dir);
    }

    @Override
    protected NodePool newPool() {
        LocalNodes machine =
                new LocalNodes(work.resolve("nodes"), sleepingAgent(), Duration.ofSeconds(2), Clock.systemUTC());
        NodePool pool = new LocalNodePool("contract", machine);
        pools.add(pool);
        return pool;
    }

    @Override
    protected void settle() {
        // a local node is ready once its record is written
    }

    @AfterEach
    void deleteEveryNode() {
        pools.forEach(p -> p.deleteNodes(p.nodes().stream().map(CloudNode::name).toList()));
    }
}
