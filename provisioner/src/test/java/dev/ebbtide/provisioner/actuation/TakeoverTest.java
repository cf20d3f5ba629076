package dev.ebbtide.provisioner.actuation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.ProvisionerClusterState;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.devsupport.MutableClock;
import dev.ebbtide.messaging.ownership.ClusterPartition;
import dev.ebbtide.messaging.ownership.Ownership;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Two provisioner instances over one cloud (an in-memory pool) and one durable memory (a map standing for the compacted
 * topic): only the owner acts; a takeover restores nodes, ledger and backoff; a request re-handled after its first
 * handler died makes no second mutating call; a revocation waits for the cloud call in progress.
 */
class TakeoverTest {
    static final int PARTITIONS = 2;
    static final String CLUSTER = clusterIn(0);
    static final String OTHER = clusterIn(1);

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    final MapMemory memory = new MapMemory(PARTITIONS);
    final InMemoryNodePool pool = new InMemoryNodePool(CLUSTER, clock);
    final InMemoryNodePool otherPool = new InMemoryNodePool(OTHER, clock);

    /** One provisioner instance: its ownership, what it published, its meters. */
    final class Instance {
        final Ownership ownership;
        final List<NodeStateChanged> published = new CopyOnWriteArrayList<>();
        final List<String> backoffs = new CopyOnWriteArrayList<>();
        final List<dev.ebbtide.common.events.WaitReason.GangDeadline> gangWaits = new CopyOnWriteArrayList<>();
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final Provisioner provisioner;

        Instance(String name, ClusterMemory memory) {
            ownership = new Ownership(name, PARTITIONS);
            ProvisionerPublisher publisher = new ProvisionerPublisher() {
                @Override
                public void nodeStateChanged(NodeStateChanged e) {
                    published.add(e);
                }

                @Override
                public void backoffStarted(String cluster, ErrorClass errorClass, Instant until, Reason reason) {
                    backoffs.add(cluster + " " + errorClass);
                }

                @Override
                public void gangDeadline(String cluster, dev.ebbtide.common.events.WaitReason.GangDeadline waiting) {
                    gangWaits.add(waiting);
                }
            };
            ClusterBackoff backoff = new ClusterBackoff(clock);
            CloudCaller caller = new CloudCaller(
                    new RetryPolicy(new Random(1)), d -> {}, new ProvisionerMetrics(registry), publisher);
            ScaleRequestLedger ledger = new ScaleRequestLedger.PerCluster(100);
            CloudProvider provider = new CloudProvider() {
                @Override
                public String name() {
                    return dev.ebbtide.provisioner.cloud.local.LocalCloudProvider.NAME; // one machine's shared cloud
                }

                @Override
                public NodePool nodePool(ClusterSpec cluster) {
                    return cluster.name().equals(CLUSTER) ? pool : otherPool;
                }
            };
            provisioner = new Provisioner(
                    provider,
                    publisher,
                    new ScaleRequestHandler(backoff, caller, ledger, publisher),
                    new Reconciler(clock, Reconciler.Settings.defaults(), backoff, caller, publisher),
                    caller,
                    new NodeBook(Duration.ofSeconds(60)),
                    Duration.ZERO,
                    registry,
                    clock);
            provisioner.durable(new DurableState(ownership, memory, ledger, backoff, clock));
            ownership.addListener(new ProvisionerOwnership(provisioner, memory));
            provisioner.onClusterDefined(new ClusterSpec(CLUSTER, null, null, 0, 4, 30, null));
            provisioner.onClusterDefined(new ClusterSpec(OTHER, null, null, 0, 4, 30, null));
        }

        void owns(Integer... partitions) {
            ownership.assigned(Set.of(partitions), PARTITIONS);
        }

        void gives(Integer... partitions) {
            ownership.revoked(Set.of(partitions));
        }

        void heartbeats(String cluster, String... nodes) {
            for (String n : nodes) {
                provisioner.onAgentStatus(new NodeAgentStatus(
                        NodeAgentStatus.Kind.HEARTBEAT,
                        cluster,
                        n,
                        "a-" + n,
                        "127.0.0.1",
                        29500,
                        2,
                        4096L,
                        0,
                        "test",
                        List.of(),
                        List.of(),
                        clock.instant()));
            }
        }

        NodeState state(String node) {
            NodeBook.View v = provisioner.nodes().get(node);
            return v == null ? null : v.state();
        }

        double ownedGauge() {
            return registry.get(dev.ebbtide.provisioner.actuation.ProvisionerMetrics.OWNED_CLUSTERS)
                    .gauge()
                    .value();
        }
    }

    @Test
    void onlyTheOwnerAppliesAScaleRequestAndPublishesNodeStates() {
        Instance a = new Instance("provisioner-1", memory);
        Instance b = new Instance("provisioner-2", memory);
        a.owns(0);
        b.owns(1);
        ScaleRequested up = request("r-1", CLUSTER, 2, List.of());
        a.provisioner.onScaleRequested(up);
        b.provisioner.onScaleRequested(up); // a buffered record of a partition it does not own
        assertEquals(List.of("increaseSize 2"), mutating(pool), "one cloud call, by the owner");
        assertEquals(
                2,
                a.published.stream()
                        .filter(e -> e.state() == NodeState.preparing)
                        .count());
        b.heartbeats(CLUSTER, CLUSTER + "-0", CLUSTER + "-1");
        b.provisioner.pollAll();
        b.provisioner.reconcileAll();
        b.provisioner.tick();
        assertTrue(
                b.published.stream().noneMatch(e -> e.cluster().equals(CLUSTER)),
                "the other instance publishes nothing " + "for the cluster: " + b.published);
        assertEquals(1.0, a.ownedGauge());
        assertEquals(1.0, b.ownedGauge());
        assertEquals(2, b.provisioner.usageView().nodes(CLUSTER), "the local quota counts the other instance's nodes");
        assertEquals(2, a.provisioner.usageView().nodes(CLUSTER));
        assertEquals("provisioner-1", memory.latest.get(CLUSTER).sender());
        assertEquals(
                List.of("r-1"),
                memory.latest.get(CLUSTER).appliedRequests(),
                "stored before the request is acknowledged");
    }

    @Test
    void aTakeoverRestoresTheNodeTableAndTheLedgerSoARedeliveredRequestHasNoEffect() {
        Instance a = new Instance("provisioner-1", memory);
        Instance b = new Instance("provisioner-2", memory);
        a.owns(0, 1);
        ScaleRequested up = request("r-1", CLUSTER, 2, List.of());
        a.provisioner.onScaleRequested(up);
        ready(pool, CLUSTER + "-0", CLUSTER + "-1");
        a.provisioner.pollAll();
        a.heartbeats(CLUSTER, CLUSTER + "-0", CLUSTER + "-1");
        b.heartbeats(CLUSTER, CLUSTER + "-0", CLUSTER + "-1"); // every instance reads every heartbeat
        a.provisioner.onJobAssigned(new JobAssigned(
                "job-1",
                CLUSTER,
                List.of(CLUSTER + "-0"),
                new JobSpec("sleep 5", 1, Map.of(), null, null, null, null),
                1,
                clock.instant()));
        assertEquals(NodeState.running, a.state(CLUSTER + "-0"));

        a.gives(0, 1); // a rebalance: a hands everything over, b takes partition 0
        b.owns(0);
        assertEquals(NodeState.running, b.state(CLUSTER + "-0"), "the assignment's busy guard came along");
        assertEquals(NodeState.idle, b.state(CLUSTER + "-1"));
        assertTrue(
                b.published.stream().noneMatch(e -> e.cluster().equals(CLUSTER)),
                "the states b took over are those already published: nothing to publish again " + b.published);
        int callsBefore = mutating(pool).size();
        b.provisioner.onScaleRequested(up); // the request's offset was not committed before the rebalance
        b.provisioner.onScaleRequested(request("r-2", CLUSTER, 2, List.of(CLUSTER + "-0")));
        assertEquals(
                callsBefore,
                mutating(pool).size(),
                "no second scale-up, and the busy node is not removed: " + pool.calls);
        assertEquals(List.of("r-1", "r-2"), memory.latest.get(CLUSTER).appliedRequests());
        assertEquals("provisioner-2", memory.latest.get(CLUSTER).sender());
        assertTrue(a.provisioner.nodes().isEmpty(), "a forgot the cluster: " + a.provisioner.nodes());
    }

    @Test
    void aRequestAppliedByAnInstanceThatDiedBeforeStoringItMakesNoSecondMutatingCallOnItsSuccessor() {
        MapMemory lost = new MapMemory(PARTITIONS); // a dies between its cloud calls and its record
        Instance a = new Instance("provisioner-1", lost);
        a.owns(0, 1);
        a.provisioner.onScaleRequested(request("r-0", CLUSTER, 2, List.of()));
        ready(pool, CLUSTER + "-0", CLUSTER + "-1");
        a.provisioner.pollAll();
        a.heartbeats(CLUSTER, CLUSTER + "-0", CLUSTER + "-1");
        memory.latest.putAll(lost.latest); // what a stored up to here
        lost.down = true;
        ScaleRequested shrink = request("r-1", CLUSTER, 1, List.of(CLUSTER + "-1"));
        ScaleRequested grow = request("r-2", CLUSTER, 3, List.of());
        assertThrows(IllegalStateException.class, () -> a.provisioner.onScaleRequested(shrink), "not acknowledged");
        assertThrows(IllegalStateException.class, () -> a.provisioner.onScaleRequested(grow), "not acknowledged");
        List<String> byA = mutating(pool);
        assertEquals(List.of("increaseSize 2", "deleteNodes [" + CLUSTER + "-1]", "increaseSize 2"), byA);

        ready(pool, CLUSTER + "-2", CLUSTER + "-3");
        Instance b = new Instance("provisioner-2", memory); // kill -9 of a: b takes over after the session timeout
        b.heartbeats(CLUSTER, CLUSTER + "-0", CLUSTER + "-2", CLUSTER + "-3");
        b.owns(0, 1);
        assertEquals(
                List.of("r-0"), memory.latest.get(CLUSTER).appliedRequests(), "the record knows neither r-1 nor r-2");
        assertTrue(
                b.published.stream().anyMatch(e -> e.node().equals(CLUSTER + "-1") && e.state() == NodeState.deleted),
                "the node the record has and the cloud has not is published deleted: " + b.published);
        b.provisioner.onScaleRequested(shrink);
        b.provisioner.onScaleRequested(grow);
        assertEquals(byA, mutating(pool), "the node named is gone and the cluster has its target: 0 extra calls");
        assertEquals(null, b.state(CLUSTER + "-1"), "no phantom of the deleted node");
        assertEquals(NodeState.idle, b.state(CLUSTER + "-2"), "no orphan: the nodes a created are adopted");
        assertEquals(List.of("r-0", "r-1", "r-2"), memory.latest.get(CLUSTER).appliedRequests());
    }

    @Test
    void aNodeLeftLeavingByADeadOwnerFollowsItsAgentAgainAndTheRedeliveredRequestDeletesItOnce() {
        ready(pool, CLUSTER + "-0", CLUSTER + "-1");
        memory.latest.put(
                CLUSTER,
                new ProvisionerClusterState(
                        CLUSTER,
                        List.of(
                                new ProvisionerClusterState.Node(CLUSTER + "-0", NodeState.idle, null, List.of()),
                                new ProvisionerClusterState.Node(CLUSTER + "-1", NodeState.leaving, null, List.of())),
                        List.of(),
                        null,
                        null,
                        clock.instant(),
                        "provisioner-1")); // died between marking and deleting
        Instance b = new Instance("provisioner-2", memory);
        b.heartbeats(CLUSTER, CLUSTER + "-0", CLUSTER + "-1");
        b.owns(0, 1);
        assertEquals(NodeState.idle, b.state(CLUSTER + "-1"), "not stuck in leaving: " + b.published);
        b.provisioner.onScaleRequested(request("r-1", CLUSTER, 1, List.of(CLUSTER + "-1")));
        assertEquals(List.of("deleteNodes [" + CLUSTER + "-1]"), mutating(pool));
    }

    @Test
    void aBackoffSurvivesTheTakeover() {
        Instance a = new Instance("provisioner-1", memory);
        Instance b = new Instance("provisioner-2", memory);
        a.owns(0, 1);
        pool.failures.add(new CloudException(ErrorClass.QUOTA_EXCEEDED, "quota exceeded"));
        a.provisioner.onScaleRequested(request("r-1", CLUSTER, 2, List.of()));
        assertEquals(List.of(CLUSTER + " QUOTA_EXCEEDED"), a.backoffs);
        ProvisionerClusterState.Backoff stored = memory.latest.get(CLUSTER).backoff();
        assertEquals(1, stored.failures());

        a.gives(0, 1);
        b.owns(0, 1);
        clock.advance(Duration.ofSeconds(10)); // within the 30 s backoff
        int calls = mutating(pool).size();
        b.provisioner.onScaleRequested(request("r-2", CLUSTER, 2, List.of()));
        assertEquals(calls, mutating(pool).size(), "b does not grow the cluster while it backs off: " + pool.calls);
        clock.advance(Duration.ofSeconds(30));
        pool.failures.add(new CloudException(ErrorClass.QUOTA_EXCEEDED, "quota exceeded"));
        b.provisioner.onScaleRequested(request("r-3", CLUSTER, 2, List.of()));
        assertEquals(2, memory.latest.get(CLUSTER).backoff().failures(), "the failure count went on from a's");
        assertEquals(
                stored.until().plusSeconds(10).plus(Duration.ofSeconds(60)),
                memory.latest.get(CLUSTER).backoff().until(),
                "the second failure doubles the delay");
    }

    @Test
    void aRevocationWaitsForTheCloudCallInProgressAndBufferedRequestsAreSkippedAfter() throws Exception {
        Instance a = new Instance("provisioner-1", memory);
        a.owns(0, 1);
        a.provisioner.onScaleRequested(request("r-1", CLUSTER, 2, List.of()));
        ready(pool, CLUSTER + "-0", CLUSTER + "-1");
        a.provisioner.pollAll();
        a.heartbeats(CLUSTER, CLUSTER + "-0", CLUSTER + "-1");
        CountDownLatch inCloud = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        pool.onDelete = () -> {
            inCloud.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
        CompletableFuture<Void> scaleDown = CompletableFuture.runAsync(
                () -> a.provisioner.onScaleRequested(request("r-2", CLUSTER, 0, List.of(CLUSTER + "-1"))), threads);
        assertTrue(inCloud.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> revocation = CompletableFuture.runAsync(() -> a.gives(0), threads);
        org.awaitility.Awaitility.await().until(() -> !a.ownership.owns(CLUSTER)); // left the owned set first
        assertThrows(
                java.util.concurrent.TimeoutException.class,
                () -> revocation.get(300, TimeUnit.MILLISECONDS),
                "the revocation waits while the deletion runs");
        release.countDown();
        scaleDown.get(10, TimeUnit.SECONDS);
        revocation.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("r-1", "r-2"), memory.latest.get(CLUSTER).appliedRequests(), "stored before the handover");
        int calls = mutating(pool).size();
        a.provisioner.onScaleRequested(request("r-3", CLUSTER, 4, List.of(CLUSTER + "-0")));
        assertEquals(calls, mutating(pool).size(), "a buffered request of the revoked partition is skipped");
        assertEquals(1.0, a.ownedGauge(), "a still owns the other cluster");
        threads.shutdown();
    }

    @Test
    void anOpenGangMovesWithItsRecordAndTheNewOwnerGivesItBackOnTime() {
        Instance a = new Instance("provisioner-1", memory);
        Instance b = new Instance("provisioner-2", memory);
        a.owns(0, 1);
        a.provisioner.onScaleRequested(new ScaleRequested(
                "r-gang",
                CLUSTER,
                3,
                List.of(),
                List.of(new Reason("TEST", "test")),
                clock.instant(),
                null,
                null,
                "autoscaler-1",
                List.of(new ScaleRequested.Unit("job-1", 3))));
        Instant deadline = clock.instant().plus(Duration.ofMinutes(10));
        assertEquals(1, memory.latest.get(CLUSTER).gangs().size(), "the open gang is in the durable record");
        assertEquals(deadline, memory.latest.get(CLUSTER).gangs().get(0).deadline());
        ready(pool, CLUSTER + "-0", CLUSTER + "-1");
        a.provisioner.pollAll();
        a.heartbeats(CLUSTER, CLUSTER + "-0", CLUSTER + "-1"); // the third never comes up

        a.gives(0);
        b.owns(0);
        clock.advance(Duration.ofMinutes(10));
        b.heartbeats(CLUSTER, CLUSTER + "-0", CLUSTER + "-1");
        b.provisioner.tick();
        assertTrue(
                mutating(pool).stream().anyMatch(c -> c.startsWith("deleteNodes")),
                "the new owner gave the gang's nodes back at its deadline: " + pool.calls);
        assertTrue(memory.latest.get(CLUSTER).gangs().isEmpty(), "and the record has no open gang any more");
        assertEquals(1, b.gangWaits.size(), "the new owner says why: " + b.gangWaits);
        assertEquals("job-1", b.gangWaits.get(0).jobId());
        assertEquals(2, b.gangWaits.get(0).got());
        assertTrue(a.gangWaits.isEmpty());
    }

    private static List<String> mutating(InMemoryNodePool pool) {
        return pool.calls.stream()
                .filter(c -> c.startsWith("increaseSize") || c.startsWith("deleteNodes"))
                .toList();
    }

    private static void ready(InMemoryNodePool pool, String... nodes) {
        for (String n : nodes) {
            pool.put(n, CloudNodeStatus.READY);
        }
    }

    private ScaleRequested request(String id, String cluster, int target, List<String> remove) {
        return new ScaleRequested(
                id,
                cluster,
                target,
                remove,
                List.of(new Reason("TEST", "test")),
                clock.instant(),
                null,
                null,
                "autoscaler-1");
    }

    static String clusterIn(int partition) {
        return IntStream.range(0, 1000)
                .mapToObj(i -> "tk-" + i)
                .filter(c -> ClusterPartition.of(c, PARTITIONS) == partition)
                .findFirst()
                .orElseThrow();
    }
}
