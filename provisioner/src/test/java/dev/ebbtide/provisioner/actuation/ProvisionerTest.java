package dev.ebbtide.provisioner.actuation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.devsupport.MutableClock;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.messaging.ProvisionerPublisher;
import dev.ebbtide.provisioner.nodes.NodeBook;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The provisioner around its node view: an in-memory pool, agent statuses by hand, a clock that moves when told. */
class ProvisionerTest {
    static final String CLUSTER = "pt-cluster";
    static final String N0 = CLUSTER + "-0";
    static final String N1 = CLUSTER + "-1";
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final List<NodeStateChanged> nodeEvents = new CopyOnWriteArrayList<>();
    final List<String> backoffs = new CopyOnWriteArrayList<>();
    volatile boolean cloudDown;
    InMemoryNodePool pool;
    Provisioner provisioner;

    @BeforeEach
    void setUp() {
        pool = new InMemoryNodePool(CLUSTER, clock);
        provisioner = newProvisioner();
    }

    /** A provisioner as after a (re)start: an empty view over the same cloud. */
    Provisioner newProvisioner() {
        ProvisionerPublisher publisher = new ProvisionerPublisher() {
            @Override
            public void nodeStateChanged(NodeStateChanged e) {
                nodeEvents.add(e);
            }

            @Override
            public void backoffStarted(String cluster, ErrorClass errorClass, Instant until, Reason reason) {
                backoffs.add(cluster + " " + errorClass + " until " + until);
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ClusterBackoff backoff = new ClusterBackoff(clock);
        CloudCaller caller =
                new CloudCaller(new RetryPolicy(new Random(1)), d -> {}, new ProvisionerMetrics(registry), publisher);
        CloudProvider provider = new CloudProvider() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public NodePool nodePool(ClusterSpec cluster) {
                if (cloudDown) {
                    throw new CloudException(ErrorClass.TRANSIENT, "503 from the cloud");
                }
                return pool;
            }
        };
        Provisioner p = new Provisioner(
                provider,
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
                new NodeBook(Duration.ofSeconds(60)),
                Duration.ZERO,
                registry,
                clock);
        p.onClusterDefined(new ClusterSpec(CLUSTER, null, null, 0, 4, 30, null));
        return p;
    }

    @Test
    void aPoolThatCannotBeOpenedBacksTheClusterOffInsteadOfLosingTheRequest() {
        cloudDown = true;
        provisioner.onClusterDefined(new ClusterSpec("down-cluster", null, null, 0, 4, 30, null));
        provisioner.onScaleRequested(new ScaleRequested(
                "r-1", "down-cluster", 2, List.of(), List.of(new Reason("TEST", "test")), clock.instant()));
        assertEquals(List.of("down-cluster TRANSIENT until " + clock.instant().plusSeconds(30)), backoffs);
        assertEquals(List.of(), nodeEvents);
    }

    @Test
    void aNodeIsPreparingUntilItsAgentAnnouncesAndThenIdleWithItsAddress() {
        ScaleRequested up = request(2, List.of());
        provisioner.onScaleRequested(up);
        provisioner.onScaleRequested(up);
        assertEquals(2, states(NodeState.preparing).size(), "two nodes, not four: " + nodeEvents);
        ready(N0, N1);
        assertEquals(0, states(NodeState.idle).size(), "the cloud says ready, the agent has not spoken");
        provisioner.onAgentStatus(status(N0, NodeAgentStatus.Kind.ANNOUNCED, List.of()));
        NodeStateChanged idle = states(NodeState.idle).get(0);
        assertEquals(N0, idle.node());
        assertEquals("127.0.0.1", idle.address());
        assertEquals(29500, idle.port());
    }

    @Test
    void aNodeWithAnAssignmentIsNeverRemovedAndIdleOnesAre() {
        twoIdleNodes();
        provisioner.onJobAssigned(new JobAssigned(
                "job-1",
                CLUSTER,
                List.of(N0),
                new JobSpec("sleep 5", 1, Map.of(), null, null, null, null),
                1,
                clock.instant()));
        provisioner.onAgentStatus(status(N0, NodeAgentStatus.Kind.HEARTBEAT, List.of())); // not started yet
        provisioner.onScaleRequested(request(0, List.of(N0, N1)));
        assertEquals(
                List.of(N1),
                states(NodeState.deleted).stream().map(NodeStateChanged::node).toList(),
                "only the idle node goes");
        assertEquals(
                List.of("deleteNodes [" + N1 + "]"),
                pool.calls.stream().filter(c -> c.startsWith("delete")).toList());
        NodeStateChanged refusal = nodeEvents.get(nodeEvents.size() - 1);
        assertEquals(N0, refusal.node());
        assertEquals(NodeState.running, refusal.state());
        assertTrue(refusal.reason().startsWith("removal refused: busy with job job-1"), refusal.reason());
    }

    @Test
    void aNodeWhoseAgentFallsSilentIsPublishedLostAndDeleted() {
        twoIdleNodes();
        provisioner.onAgentStatus(
                status(N0, NodeAgentStatus.Kind.HEARTBEAT, List.of(new NodeAgentStatus.RunningRank("job-2", 1, 0))));
        clock.advance(Duration.ofSeconds(30));
        provisioner.onAgentStatus(status(N1, NodeAgentStatus.Kind.HEARTBEAT, List.of()));
        clock.advance(Duration.ofSeconds(30));
        provisioner.tick();
        NodeStateChanged lost = states(NodeState.lost).get(0);
        assertEquals(N0, lost.node());
        assertEquals("job-2", lost.jobId());
        assertEquals(1, states(NodeState.lost).size(), "the other node heart-beats");
        assertEquals(List.of(N1), List.copyOf(pool.nodes.keySet()), "the lost node is deleted from the cloud");
        NodeStateChanged last = nodeEvents.get(nodeEvents.size() - 1);
        assertEquals(NodeState.deleted, last.state());
        assertEquals(NodeState.lost, last.previous());
    }

    @Test
    void agentStatusesAreAppliedWhileACloudCallBlocksSoNoLiveNodeLooksLost() throws Exception {
        twoIdleNodes();
        java.util.concurrent.CountDownLatch inCloud = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        pool.onDelete = () -> {
            inCloud.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Thread scaleDown = new Thread(() -> provisioner.onScaleRequested(request(1, List.of(N1))));
        scaleDown.start();
        assertTrue(inCloud.await(5, java.util.concurrent.TimeUnit.SECONDS));
        clock.advance(Duration.ofSeconds(59));
        Thread heartbeat =
                new Thread(() -> provisioner.onAgentStatus(status(N0, NodeAgentStatus.Kind.HEARTBEAT, List.of())));
        heartbeat.start();
        heartbeat.join(5_000);
        assertTrue(!heartbeat.isAlive(), "the heartbeat did not wait for the cloud call");
        clock.advance(Duration.ofSeconds(2));
        release.countDown();
        scaleDown.join(5_000);
        provisioner.tick();
        assertEquals(List.of(), states(NodeState.lost), "N0 heart-beat in time");
        assertEquals(
                List.of(N1),
                states(NodeState.deleted).stream().map(NodeStateChanged::node).toList());
    }

    @Test
    void afterARestartNodesWithHeartbeatingAgentsAreKnownAtOnceAndBusyOnesStayRunning() {
        twoIdleNodes();
        provisioner.onAgentStatus(
                status(N0, NodeAgentStatus.Kind.HEARTBEAT, List.of(new NodeAgentStatus.RunningRank("job-3", 1, 0))));
        nodeEvents.clear();

        Provisioner restarted = newProvisioner(); // kill -9 and start again: the cloud is the same
        restarted.onAgentStatus(
                status(N0, NodeAgentStatus.Kind.HEARTBEAT, List.of(new NodeAgentStatus.RunningRank("job-3", 1, 0))));
        restarted.onAgentStatus(status(N1, NodeAgentStatus.Kind.HEARTBEAT, List.of()));
        restarted.pollAll();
        assertEquals(
                Map.of(N0, NodeState.running, N1, NodeState.idle),
                Map.of(
                        nodeEvents.get(0).node(),
                        nodeEvents.get(0).state(),
                        nodeEvents.get(1).node(),
                        nodeEvents.get(1).state()));
        assertEquals(2, nodeEvents.size(), "no phantom, nothing deleted: " + nodeEvents);
        restarted.onScaleRequested(request(1, List.of(N0, N1)));
        assertEquals(
                List.of(N1),
                states(NodeState.deleted).stream().map(NodeStateChanged::node).toList(),
                "the idle node is removed on time, the busy one kept");
    }

    @Test
    void aReadyNodeWhoseAgentNeverAnnouncesIsGivenUpAndReplaced() {
        provisioner.onScaleRequested(request(1, List.of()));
        ready(N0);
        clock.advance(Duration.ofMinutes(16));
        provisioner.reconcileAll();
        NodeStateChanged unusable = states(NodeState.unusable).get(0);
        assertEquals(N0, unusable.node());
        assertTrue(
                unusable.reason().contains("did not announce itself within max-node-provision-time 15m"),
                unusable.reason());
        assertTrue(
                pool.calls.containsAll(List.of("deleteNodes [" + N0 + "]", "increaseSize 1")), pool.calls.toString());
        assertEquals(
                List.of(N0, N1),
                states(NodeState.preparing).stream().map(NodeStateChanged::node).toList());
    }

    @Test
    void anInstanceEbbtideDidNotAskForAndWithoutAnAgentIsAdoptedAfterTheGracePeriod() {
        pool.put(N0, CloudNodeStatus.READY); // created behind Ebbtide's back, its agent silent
        provisioner.pollAll();
        provisioner.reconcileAll();
        assertEquals(List.of(), nodeEvents, "unknown, within the grace period: not yet a node");
        clock.advance(Duration.ofMinutes(10));
        provisioner.reconcileAll();
        assertEquals(
                List.of(NodeState.preparing),
                nodeEvents.stream().map(NodeStateChanged::state).toList());
        assertTrue(
                nodeEvents.get(0).reason().startsWith("adopted"),
                nodeEvents.get(0).reason());
        provisioner.onAgentStatus(status(N0, NodeAgentStatus.Kind.ANNOUNCED, List.of()));
        assertEquals(NodeState.idle, nodeEvents.get(nodeEvents.size() - 1).state());
    }

    private void ready(String... nodes) {
        for (String n : nodes) {
            pool.put(n, CloudNodeStatus.READY);
        }
        provisioner.pollAll();
    }

    private void twoIdleNodes() {
        provisioner.onScaleRequested(request(2, List.of()));
        ready(N0, N1);
        provisioner.onAgentStatus(status(N0, NodeAgentStatus.Kind.ANNOUNCED, List.of()));
        provisioner.onAgentStatus(status(N1, NodeAgentStatus.Kind.ANNOUNCED, List.of()));
        assertEquals(2, states(NodeState.idle).size());
    }

    @Test
    void anAttachedPoolIsNeverCreatedScaledOrDeletedItsMachinesJoinAndLeaveByTheirAgents() {
        provisioner.onClusterDefined(dev.ebbtide.common.azureml.ClusterSpec.attachedPool("lab", 1000, null));
        provisioner.onAgentStatus(labStatus("box-a", NodeAgentStatus.Kind.ANNOUNCED));
        provisioner.onAgentStatus(labStatus("box-b", NodeAgentStatus.Kind.ANNOUNCED));
        assertEquals(List.of("box-a idle", "box-b idle"), labEvents());
        provisioner.onScaleRequested(new ScaleRequested(
                "r-lab", "lab", 5, List.of("box-a"), List.of(new Reason("TEST", "test")), clock.instant()));
        provisioner.reconcileAll();
        provisioner.pollAll();
        assertEquals(List.of("box-a idle", "box-b idle"), labEvents(), "a scale request changes nothing");

        clock.advance(Duration.ofSeconds(30));
        provisioner.onAgentStatus(labStatus("box-b", NodeAgentStatus.Kind.HEARTBEAT));
        clock.advance(Duration.ofSeconds(31)); // box-a silent for 61 s
        provisioner.tick();
        assertEquals(List.of("box-a idle", "box-b idle", "box-a lost", "box-a deleted"), labEvents());
        assertTrue(nodeEvents.get(nodeEvents.size() - 1).reason().contains("joins again when its agent speaks"));
        provisioner.onAgentStatus(labStatus("box-a", NodeAgentStatus.Kind.ANNOUNCED)); // its machine is back
        assertEquals("box-a idle", labEvents().get(labEvents().size() - 1));
        assertTrue(
                pool.calls.stream().noneMatch(c -> c.contains("box-")),
                "no cloud call for attached machines: " + pool.calls);
    }

    @Test
    void aSimulatedEvictionGivesANoticeWhoseReportRequeuesTheJobAndDedicatedComputeRefuses() {
        assertEquals(
                new Provisioner.Eviction(
                        409,
                        "cluster pt-cluster is dedicated: only nodes of a low-priority "
                                + "cluster (tier: low_priority) can be evicted"),
                provisioner.simulateEviction(CLUSTER, N0));
        provisioner.onClusterDefined(dev.ebbtide.common.azureml.ClusterSpec.attachedPool("lab", 1000, null));
        assertEquals(409, provisioner.simulateEviction("lab", "box-a").status());
        assertEquals(404, provisioner.simulateEviction("nope", "x").status());

        provisioner.onClusterDefined(new ClusterSpec("spot", null, "low_priority", 0, 4, 30, null));
        assertEquals(404, provisioner.simulateEviction("spot", "spot-9").status(), "no such node");
        pool.nodes.put(
                "spot-0",
                dev.ebbtide.provisioner.cloud.CloudNode.of(
                        "spot-0", dev.ebbtide.provisioner.cloud.CloudNodeStatus.READY, clock.instant()));
        provisioner.onAgentStatus(new NodeAgentStatus(
                NodeAgentStatus.Kind.HEARTBEAT,
                "spot",
                "spot-0",
                "a",
                "127.0.0.1",
                29500,
                2,
                4096L,
                0,
                "test",
                List.of(new NodeAgentStatus.RunningRank("job-9", 1, 0)),
                List.of(),
                clock.instant()));
        provisioner.pollAll(); // listed with a heart-beating agent: known at once, running
        Provisioner.Eviction e = provisioner.simulateEviction("spot", "spot-0");
        assertEquals(202, e.status(), e.message());
        assertTrue(pool.calls.contains("simulateEviction spot-0"), pool.calls.toString());
        assertTrue(
                nodeEvents.stream()
                        .noneMatch(x -> x.node().equals("spot-0") && !x.state().isLive()),
                "the node keeps its job until its agent reports the notice: " + nodeEvents);

        Instant notBefore = clock.instant().plusSeconds(30);
        NodeAgentStatus.EvictionNotice notice =
                new NodeAgentStatus.EvictionNotice("ev-1", "Preempt", notBefore, clock.instant());
        for (int i = 0; i < 2; i++) { // the notice is in every later status too: one change
            provisioner.onAgentStatus(new NodeAgentStatus(
                    NodeAgentStatus.Kind.HEARTBEAT,
                    "spot",
                    "spot-0",
                    "a",
                    "127.0.0.1",
                    29500,
                    2,
                    4096L,
                    0,
                    "test",
                    List.of(new NodeAgentStatus.RunningRank("job-9", 1, 0)),
                    List.of(),
                    clock.instant(),
                    notice));
        }
        provisioner.pollAll(); // still listed by the cloud until it takes the VM: stays preempted
        List<NodeStateChanged> preempted = nodeEvents.stream()
                .filter(x -> x.node().equals("spot-0") && x.state() == NodeState.preempted)
                .toList();
        assertEquals(1, preempted.size(), nodeEvents.toString());
        assertEquals("job-9", preempted.get(0).jobId(), "the scheduler requeues this job");
        assertEquals(
                "eviction notice: the cloud takes the VM back at " + notBefore + " (Preempt scheduled event ev-1)",
                preempted.get(0).reason());
        assertEquals(NodeState.preempted, nodeEvents.get(nodeEvents.size() - 1).state(), "never idle or running again");
        provisioner.onScaleRequested(new ScaleRequested(
                "r-spot", "spot", 1, List.of(), List.of(new Reason("TEST", "test")), clock.instant()));
        assertTrue(
                pool.calls.contains("increaseSize 1"),
                "the preempted node no longer counts: its replacement is asked for at once: " + pool.calls);
        pool.nodes.remove("spot-0"); // the cloud takes the VM (eviction policy Delete)
        provisioner.pollAll();
        assertTrue(
                nodeEvents.stream().anyMatch(x -> x.node().equals("spot-0") && x.state() == NodeState.deleted),
                nodeEvents.toString());
    }

    private List<String> labEvents() {
        return nodeEvents.stream()
                .filter(e -> e.cluster().equals("lab"))
                .map(e -> e.node() + " " + e.state())
                .toList();
    }

    private NodeAgentStatus labStatus(String node, NodeAgentStatus.Kind kind) {
        return new NodeAgentStatus(
                kind,
                "lab",
                node,
                "a-" + node,
                "127.0.0.1",
                29500,
                2,
                4096L,
                0,
                "test",
                List.of(),
                List.of(),
                clock.instant());
    }

    private NodeAgentStatus status(String node, NodeAgentStatus.Kind kind, List<NodeAgentStatus.RunningRank> running) {
        return new NodeAgentStatus(
                kind,
                CLUSTER,
                node,
                "a-" + node,
                "127.0.0.1",
                29500,
                2,
                4096L,
                0,
                "test",
                running,
                List.of(),
                clock.instant());
    }

    private List<NodeStateChanged> states(NodeState state) {
        return nodeEvents.stream().filter(e -> e.state() == state).toList();
    }

    private ScaleRequested request(int target, List<String> remove) {
        return new ScaleRequested(
                java.util.UUID.randomUUID().toString(),
                CLUSTER,
                target,
                remove,
                List.of(new Reason("TEST", "test")),
                clock.instant());
    }
}
