package dev.ebbtide.provisioner.actuation;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobStopRequested;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.common.events.RunPhase;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.devsupport.MutableClock;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.ErrorClass;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.cloud.local.LocalNodePool;
import dev.ebbtide.provisioner.cloud.local.LocalJobRunner;
import dev.ebbtide.provisioner.messaging.ProvisionerPublisher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provisioner with the local provider and real OS processes, a clock that moves only when told. */
class ProvisionerTest {
    static final String CLUSTER = "pt-cluster";
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final List<NodeStateChanged> nodeEvents = new CopyOnWriteArrayList<>();
    final List<JobRunReported> runs = new CopyOnWriteArrayList<>();
    final List<String> backoffs = new CopyOnWriteArrayList<>();
    volatile boolean cloudDown;
    @TempDir
    Path work;
    Provisioner provisioner;
    LocalNodePool pool;

    @BeforeEach
    void setUp() {
        ProvisionerPublisher publisher = new ProvisionerPublisher() {
            @Override
            public void nodeStateChanged(NodeStateChanged e) {
                nodeEvents.add(e);
            }

            @Override
            public void runReported(JobRunReported e) {
                runs.add(e);
            }

            @Override
            public void backoffStarted(String cluster, ErrorClass errorClass, Instant until, Reason reason) {
                backoffs.add(cluster + " " + errorClass + " until " + until);
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ClusterBackoff backoff = new ClusterBackoff(clock);
        CloudCaller caller = new CloudCaller(new RetryPolicy(new Random(1)), d -> { }, new ProvisionerMetrics(registry), publisher);
        pool = new LocalNodePool(CLUSTER, Duration.ofSeconds(2), clock);
        CloudProvider provider = new CloudProvider() {
            @Override
            public String name() {
                return "local";
            }

            @Override
            public NodePool nodePool(ClusterSpec cluster) {
                if (cloudDown) {
                    throw new CloudException(ErrorClass.TRANSIENT, "503 from the cloud");
                }
                return pool;
            }
        };
        provisioner = new Provisioner(provider, new LocalJobRunner(work),
                publisher, new ScaleRequestHandler(backoff, caller, ScaleRequestLedger.inMemory(100), publisher),
                new Reconciler(clock, new Reconciler.Settings(Duration.ofMinutes(15), Duration.ofMinutes(10),
                        ProvisionerEvents.OrphanAction.ADOPT), backoff, caller, publisher), Duration.ZERO,
                registry, clock);
        provisioner.onClusterDefined(new ClusterSpec(CLUSTER, null, null, 0, 4, 30, null));
    }

    @Test
    void aPoolThatCannotBeOpenedBacksTheClusterOffInsteadOfLosingTheRequest() {
        cloudDown = true;
        provisioner.onClusterDefined(new ClusterSpec("down-cluster", null, null, 0, 4, 30, null));
        provisioner.onScaleRequested(new ScaleRequested("r-1", "down-cluster", 2, List.of(),
                List.of(new Reason("TEST", "test")), clock.instant()));
        assertEquals(List.of("down-cluster TRANSIENT until " + clock.instant().plusSeconds(30)), backoffs);
        assertEquals(List.of(), nodeEvents);
    }

    @Test
    void aScaleRequestDeliveredTwiceHasOneEffect() {
        ScaleRequested up = request(2, List.of());
        provisioner.onScaleRequested(up);
        provisioner.onScaleRequested(up);
        assertEquals(2, states(NodeState.preparing).size(), "two nodes, not four: " + nodeEvents);
        clock.advance(Duration.ofSeconds(2));
        provisioner.pollAll();
        assertEquals(2, states(NodeState.idle).size());
    }

    @Test
    void aNodeRunningAJobIsNeverRemovedAndIdleOnesAre() throws Exception {
        twoIdleNodes();
        provisioner.onJobAssigned(new JobAssigned("job-1", CLUSTER, List.of(CLUSTER + "-0"),
                new JobSpec("sleep 5", 1, Map.of(), null, null, null, null), 1, clock.instant()));
        provisioner.onScaleRequested(request(0, List.of(CLUSTER + "-0", CLUSTER + "-1")));
        List<String> removed = states(NodeState.deleted).stream().map(NodeStateChanged::node).toList();
        assertEquals(List.of(CLUSTER + "-1"), removed, "only the idle node goes");
        NodeStateChanged refusal = nodeEvents.get(nodeEvents.size() - 1);
        assertEquals(CLUSTER + "-0", refusal.node());
        assertEquals(NodeState.running, refusal.state());
        assertTrue(refusal.reason().startsWith("removal refused: busy with job job-1"), refusal.reason());
    }

    @Test
    void runsTheCommandOncePerNodeWithRankAndEnvironmentAndReportsExits() throws Exception {
        twoIdleNodes();
        provisioner.onJobAssigned(new JobAssigned("job-2", CLUSTER, List.of(CLUSTER + "-1", CLUSTER + "-0"),
                new JobSpec("echo rank=$NODE_RANK count=$NODE_COUNT lr=$LR; exit $NODE_RANK", 2, Map.of("LR", "0.1"),
                        null, null, null, null), 1, clock.instant()));
        await().atMost(Duration.ofSeconds(20)).until(() -> runs.stream().filter(r -> r.phase() == RunPhase.EXITED).count() == 2);
        for (int rank = 0; rank < 2; rank++) {
            int r = rank;
            JobRunReported exit = runs.stream().filter(x -> x.phase() == RunPhase.EXITED && x.rank() == r).findFirst().orElseThrow();
            assertEquals(rank, exit.exitCode());
            assertEquals("rank=" + rank + " count=2 lr=0.1", Files.readString(Path.of(exit.outputPath())).strip());
            assertEquals(work.resolve("job-2").resolve("node-" + rank + ".log").toString(), exit.outputPath());
        }
        assertEquals(2, runs.stream().filter(r -> r.phase() == RunPhase.STARTED).count());
        await().atMost(Duration.ofSeconds(5)).until(() -> states(NodeState.idle).size() == 4); // back to idle after the exit
    }

    @Test
    void anAssignmentToANodeThatIsGoneIsRejectedWhole() throws Exception {
        twoIdleNodes();
        provisioner.onScaleRequested(request(1, List.of(CLUSTER + "-1")));
        provisioner.onJobAssigned(new JobAssigned("job-3", CLUSTER, List.of(CLUSTER + "-0", CLUSTER + "-1"),
                new JobSpec("echo", 2, Map.of(), null, null, null, null), 1, clock.instant()));
        assertEquals(1, runs.size());
        assertEquals(RunPhase.REJECTED, runs.get(0).phase());
        assertTrue(runs.get(0).reason().contains(CLUSTER + "-1 is gone"), runs.get(0).reason());
        assertTrue(Files.notExists(work.resolve("job-3")), "nothing ran");
    }

    @Test
    void aStopTerminatesTheRunningCommandAndItsChildrenAndTheExitIsReported() throws Exception {
        twoIdleNodes();
        provisioner.onJobAssigned(new JobAssigned("job-4", CLUSTER, List.of(CLUSTER + "-0"),
                new JobSpec("sleep 300 & wait", 1, Map.of(), null, null, null, null), 1, clock.instant()));
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.allProcesses()
                .anyMatch(h -> h.info().commandLine().orElse("").contains("sleep 300")));
        provisioner.onJobStop(new JobStopRequested("job-4", CLUSTER, List.of(CLUSTER + "-0", CLUSTER + "-1"), 1,
                "canceled", clock.instant()));
        await().atMost(Duration.ofSeconds(20)).until(() -> runs.stream().filter(r -> r.phase() == RunPhase.EXITED).count() == 2);
        JobRunReported stopped = runs.stream().filter(r -> r.phase() == RunPhase.EXITED && r.node().equals(CLUSTER + "-0"))
                .findFirst().orElseThrow();
        assertEquals(143, stopped.exitCode(), "terminated by SIGTERM");
        JobRunReported idleNode = runs.stream().filter(r -> r.phase() == RunPhase.EXITED && r.node().equals(CLUSTER + "-1"))
                .findFirst().orElseThrow();
        assertEquals("not running here", idleNode.reason());
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.allProcesses()
                .noneMatch(h -> h.info().commandLine().orElse("").contains("sleep 300")));
    }

    @Test
    void aCommandPastItsTimeoutIsStoppedAndTheReasonReported() {
        twoIdleNodes();
        provisioner.onJobAssigned(new JobAssigned("job-6", CLUSTER, List.of(CLUSTER + "-0"),
                new JobSpec("sleep 120", 1, Map.of(), null, null, null, 1L), 1, clock.instant()));
        await().atMost(Duration.ofSeconds(20)).until(() -> runs.stream().anyMatch(r -> r.phase() == RunPhase.EXITED));
        JobRunReported exit = runs.stream().filter(r -> r.phase() == RunPhase.EXITED).findFirst().orElseThrow();
        assertEquals(124, exit.exitCode());
        assertEquals("limits.timeout of 1 s reached: stopped", exit.reason());
    }

    @Test
    void anAssignmentArrivingAfterItsStopIsRejected() {
        twoIdleNodes();
        provisioner.onJobStop(new JobStopRequested("job-5", CLUSTER, List.of(CLUSTER + "-0"), 2, "canceled", clock.instant()));
        provisioner.onJobAssigned(new JobAssigned("job-5", CLUSTER, List.of(CLUSTER + "-0"),
                new JobSpec("echo", 1, Map.of(), null, null, null, null), 2, clock.instant()));
        JobRunReported last = runs.get(runs.size() - 1);
        assertEquals(RunPhase.REJECTED, last.phase());
        assertEquals(2, last.attempt());
        assertTrue(Files.notExists(work.resolve("job-5")), "nothing ran");
    }

    @Test
    void anInstanceEbbtideDidNotAskForIsAdoptedAfterTheGracePeriod() {
        pool.increaseSize(1); // created behind Ebbtide's back (or before a restart)
        clock.advance(Duration.ofSeconds(2));
        provisioner.pollAll();
        provisioner.reconcileAll();
        assertEquals(List.of(), nodeEvents, "unknown, within the grace period: not yet a node");
        clock.advance(Duration.ofMinutes(10));
        provisioner.reconcileAll();
        assertEquals(List.of(NodeState.preparing, NodeState.idle), nodeEvents.stream().map(NodeStateChanged::state).toList());
        assertTrue(nodeEvents.get(0).reason().startsWith("adopted"), nodeEvents.get(0).reason());
    }

    private void twoIdleNodes() {
        provisioner.onScaleRequested(request(2, List.of()));
        clock.advance(Duration.ofSeconds(2));
        provisioner.pollAll();
        assertEquals(2, states(NodeState.idle).size());
    }

    private List<NodeStateChanged> states(NodeState state) {
        return nodeEvents.stream().filter(e -> e.state() == state).toList();
    }

    private ScaleRequested request(int target, List<String> remove) {
        return new ScaleRequested(java.util.UUID.randomUUID().toString(), CLUSTER, target, remove,
                List.of(new Reason("TEST", "test")), clock.instant());
    }
}
