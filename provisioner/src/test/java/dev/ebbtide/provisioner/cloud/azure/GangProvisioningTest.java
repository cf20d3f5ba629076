package dev.ebbtide.provisioner.cloud.azure;

import static dev.ebbtide.provisioner.cloud.azure.FakeArmServer.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.WaitReason;
import dev.ebbtide.devsupport.MutableClock;
import dev.ebbtide.provisioner.actuation.CloudCaller;
import dev.ebbtide.provisioner.actuation.ClusterBackoff;
import dev.ebbtide.provisioner.actuation.Provisioner;
import dev.ebbtide.provisioner.actuation.ProvisionerEvents;
import dev.ebbtide.provisioner.actuation.ProvisionerMetrics;
import dev.ebbtide.provisioner.actuation.Reconciler;
import dev.ebbtide.provisioner.actuation.RetryPolicy;
import dev.ebbtide.provisioner.actuation.ScaleRequestHandler;
import dev.ebbtide.provisioner.actuation.ScaleRequestLedger;
import dev.ebbtide.provisioner.cloud.azure.FakeArmServer.Fault;
import dev.ebbtide.provisioner.cloud.azure.FakeArmServer.Target;
import dev.ebbtide.provisioner.messaging.ProvisionerPublisher;
import dev.ebbtide.provisioner.nodes.NodeBook;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Atomic gang provisioning on the fake ARM server: a 4-node unit whose scale set reaches 3 of 4 before Azure's
 * allocation failure keeps its 3 nodes, shown as held for the job, until the cluster's max_gang_provision_time; then
 * they are given back and the cluster waits with the gang-deadline reason. The clock is advanced, never slept on.
 */
class GangProvisioningTest {
    static final String VMSS = "/subscriptions/" + FakeArmServer.SUBSCRIPTION + "/resourceGroups/"
            + FakeArmServer.RESOURCE_GROUP + "/providers/Microsoft.Compute/virtualMachineScaleSets/ebbtide-gpu";

    final FakeArmServer fake = new FakeArmServer();
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    final List<NodeStateChanged> nodeEvents = new CopyOnWriteArrayList<>();
    final List<WaitReason> waits = new CopyOnWriteArrayList<>();
    Provisioner provisioner;

    @BeforeEach
    void setUp() {
        fake.givenScaleSet("ebbtide-gpu", "Standard_NC6s_v3", false);
        ProvisionerPublisher publisher = new ProvisionerPublisher() {
            @Override
            public void nodeStateChanged(NodeStateChanged e) {
                nodeEvents.add(e);
            }

            @Override
            public void backoffStarted(String cluster, ErrorClass errorClass, Instant until, Reason reason) {
                waits.add(new WaitReason.CloudError(errorClass, reason.message(), until));
            }

            @Override
            public void gangDeadline(String cluster, WaitReason.GangDeadline waiting) {
                waits.add(waiting);
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ClusterBackoff backoff = new ClusterBackoff(clock);
        CloudCaller caller = new CloudCaller(
                new RetryPolicy(new Random(1)), clock::advance, new ProvisionerMetrics(registry), publisher);
        provisioner = new Provisioner(
                FakeArmClients.provider(fake),
                publisher,
                new ScaleRequestHandler(backoff, caller, ScaleRequestLedger.inMemory(100), publisher),
                new Reconciler(
                        clock,
                        new Reconciler.Settings(
                                Duration.ofMinutes(15), Duration.ofMinutes(10), ProvisionerEvents.OrphanAction.ADOPT),
                        backoff,
                        caller,
                        publisher),
                caller,
                new NodeBook(Duration.ofHours(1)), // no heartbeats in this test: never lost
                Duration.ZERO,
                registry,
                clock);
        provisioner.onClusterDefined(new ClusterSpec(
                "gpu",
                "Standard_NC6s_v3",
                "dedicated",
                0,
                4,
                120,
                null,
                ClusterSpec.AMLCOMPUTE,
                null,
                null,
                new ClusterSpec.Capacity(600L, List.of(), null)));
        fake.clearRequests();
    }

    @AfterEach
    void stop() {
        System.out.println("REQUESTS gang\n  " + String.join("\n  ", fake.allLines()));
        fake.close();
    }

    @Test
    void threeOfFourThenAllocationFailedGivesTheThreeBackAtTheDeadline() {
        Instant t0 = clock.instant();
        fake.inject(Fault.asyncPartly(
                Target.PATCH_SCALE_SET,
                "Failed",
                resource("errors/deployment-async-failed-allocation.json"),
                "AllocationFailed",
                3));
        provisioner.onScaleRequested(new ScaleRequested(
                "r1",
                "gpu",
                4,
                List.of(),
                List.of(new Reason("QUEUE_NEEDS_NODES", "test")),
                t0,
                null,
                null,
                null,
                List.of(new ScaleRequested.Unit("job-1", 4))));
        assertTrue(
                waits.get(0) instanceof WaitReason.CloudError c && c.errorClass() == ErrorClass.CAPACITY_UNAVAILABLE,
                "Azure's AllocationFailed backs the cluster off: " + waits);
        fake.settle();
        provisioner.pollAll();
        List<String> gang = List.of("ebbtide-gpu_0", "ebbtide-gpu_1", "ebbtide-gpu_2");
        gang.forEach(n -> provisioner.onAgentStatus(announced(n)));
        for (String n : gang) {
            NodeStateChanged idle = last(n);
            assertEquals(NodeState.idle, idle.state(), n);
            assertEquals("job-1", idle.heldFor(), "shown as held for the job: " + idle);
            assertEquals(t0.plusSeconds(600), idle.heldUntil());
        }

        clock.advance(Duration.ofSeconds(599));
        fake.clearRequests();
        provisioner.tick();
        assertEquals(List.of(), fake.lines(), "before the deadline nothing is given back");
        assertEquals(1, waits.size());

        clock.advance(Duration.ofSeconds(1));
        provisioner.tick();
        assertTrue(
                fake.lines().contains("POST " + VMSS + "/delete {\"instanceIds\":[\"0\",\"1\",\"2\"]}"),
                "the three are given back in one delete: " + fake.lines());
        for (String n : gang) {
            assertEquals(NodeState.deleted, last(n).state(), n);
            assertNull(last(n).heldFor());
        }
        WaitReason.GangDeadline wait = (WaitReason.GangDeadline) waits.get(1);
        assertEquals("job-1", wait.jobId());
        assertEquals(3, wait.got());
        assertEquals(4, wait.wanted());
        assertEquals(clock.instant().plusSeconds(60), wait.until(), "the second failure in a row: 60 s");
        assertEquals(
                "waiting: job job-1 got 3 of 4 node(s) within 600 s (max_gang_provision_time); the nodes were given "
                        + "back; retry after " + clock.instant().plusSeconds(60),
                wait.sentence());
        assertEquals(
                0,
                fake.scaleSet("ebbtide-gpu").vms().stream()
                        .filter(vm -> "Succeeded".equals(vm.provisioningState()))
                        .count(),
                "no running VM is left for the job");
    }

    @Test
    void aUnitAllUpBeforeTheDeadlineKeepsItsNodesAndIsNoLongerHeld() {
        provisioner.onScaleRequested(new ScaleRequested(
                "r1",
                "gpu",
                2,
                List.of(),
                List.of(new Reason("QUEUE_NEEDS_NODES", "test")),
                clock.instant(),
                null,
                null,
                null,
                List.of(new ScaleRequested.Unit("job-2", 2))));
        fake.settle();
        provisioner.pollAll();
        provisioner.onAgentStatus(announced("ebbtide-gpu_0"));
        assertEquals("job-2", last("ebbtide-gpu_0").heldFor(), "held while the other node is not up");
        provisioner.onAgentStatus(announced("ebbtide-gpu_1"));
        assertNull(last("ebbtide-gpu_0").heldFor(), "all up at the last announcement: no longer held");
        assertNull(last("ebbtide-gpu_1").heldFor());
        clock.advance(Duration.ofMinutes(11));
        fake.clearRequests();
        provisioner.tick();
        assertEquals(List.of(), fake.lines(), "nothing is given back after the deadline of a unit all up");
        assertEquals(List.of(), waits);
    }

    private NodeStateChanged last(String node) {
        NodeStateChanged last = null;
        for (NodeStateChanged e : nodeEvents) {
            if (e.node().equals(node)) {
                last = e;
            }
        }
        return last;
    }

    private NodeAgentStatus announced(String node) {
        return new NodeAgentStatus(
                NodeAgentStatus.Kind.ANNOUNCED,
                "gpu",
                node,
                "a-" + node,
                "10.0.0.4",
                29500,
                6,
                114688L,
                1,
                "test",
                List.of(),
                List.of(),
                clock.instant());
    }
}
