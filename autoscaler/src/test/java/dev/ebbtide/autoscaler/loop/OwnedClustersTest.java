package dev.ebbtide.autoscaler.loop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.autoscaler.config.TestConfig;
import dev.ebbtide.autoscaler.messaging.AutoscalerEvents;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.devsupport.MutableClock;
import dev.ebbtide.messaging.ownership.ClusterPartition;
import dev.ebbtide.messaging.ownership.Ownership;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The autoscaler decides and publishes only for the clusters whose partitions this instance owns and replayed. */
class OwnedClustersTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final int PARTITIONS = 6;
    static final List<String> CLUSTERS =
            IntStream.range(0, 12).mapToObj(i -> "c" + i).toList();

    final MutableClock clock = new MutableClock(T0);
    final List<ScaleRequested> requests = new CopyOnWriteArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Ownership ownership = new Ownership("autoscaler-7", PARTITIONS);
    /** Set by a test to hold a decision in progress inside the autoscaler's lock. */
    volatile CountDownLatch holdSend;

    final CountDownLatch sending = new CountDownLatch(1);
    Autoscaler autoscaler;
    OwnedClusters owned;

    @BeforeEach
    void setUp() {
        autoscaler = new Autoscaler();
        autoscaler.clock = clock;
        autoscaler.registry = registry;
        autoscaler.config = TestConfig.autoscaler();
        AutoscalerEvents events = new AutoscalerEvents() {
            @Override
            public void scaleRequested(ScaleRequested event) {
                CountDownLatch hold = holdSend;
                if (hold != null) {
                    sending.countDown();
                    try {
                        hold.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                requests.add(event);
            }
        };
        autoscaler.events = events;
        owned = new OwnedClusters();
        owned.ownership = ownership;
        owned.autoscaler = autoscaler;
        owned.events = events;
        owned.registry = registry;
        owned.init();
        autoscaler.owned = owned;
        CLUSTERS.forEach(c -> autoscaler.onClusterDefined(
                new ClusterDefined(new ClusterSpec(c, null, null, 0, 4, 30, null), null, T0)));
    }

    @Test
    void decidesAndPublishesOnlyForTheClustersOfOwnedAndReplayedPartitions() {
        Set<Integer> mine = Set.of(0, 2, 3);
        ownership.assigned(mine, PARTITIONS);
        CLUSTERS.forEach(c -> demand(c, 1));
        assertEquals(List.of(), requests, "assigned but not replayed yet: no decision from half the past");

        owned.caughtUp(mine);
        autoscaler.tick();
        List<String> expected = CLUSTERS.stream()
                .filter(c -> mine.contains(ClusterPartition.of(c, PARTITIONS)))
                .sorted()
                .toList();
        assertFalse(expected.isEmpty());
        assertTrue(expected.size() < CLUSTERS.size(), "the test needs clusters on both sides");
        assertEquals(
                expected,
                requests.stream().map(ScaleRequested::cluster).sorted().toList());
        assertTrue(
                requests.stream().allMatch(r -> "autoscaler-7".equals(r.sender())), "every request names its sender");
        assertEquals(expected, owned.clusters());
        assertEquals(
                (double) expected.size(),
                registry.get("ebbtide_autoscaler_owned_clusters").gauge().value());
        assertEquals(
                3.0, registry.get("ebbtide_autoscaler_owned_partitions").gauge().value());
    }

    @Test
    void revocationWaitsForTheDecisionInProgressThenDropsTheClustersState() throws Exception {
        String cluster = CLUSTERS.get(0);
        int p = ClusterPartition.of(cluster, PARTITIONS);
        ownership.assigned(Set.of(p), PARTITIONS);
        owned.caughtUp(Set.of(p));
        autoscaler.onNodeState(new NodeStateChanged(cluster, cluster + "-0", NodeState.idle, null, null, null, T0));

        CountDownLatch release = new CountDownLatch(1);
        holdSend = release;
        CompletableFuture<Void> decision = CompletableFuture.runAsync(() -> demand(cluster, 3));
        assertTrue(sending.await(10, TimeUnit.SECONDS), "the decision is being sent");

        Thread revoker = new Thread(() -> ownership.revoked(Set.of(p)), "revoker");
        revoker.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> revoker.getState() == Thread.State.BLOCKED);
        assertFalse(ownership.owns(cluster), "no new decision starts once revocation began");
        assertTrue(revoker.isAlive(), "the revocation waits for the decision in progress");

        release.countDown();
        decision.get(10, TimeUnit.SECONDS);
        revoker.join(10_000);
        assertFalse(revoker.isAlive());
        assertEquals(1, requests.size(), "the decision in progress completed");
        ClusterState state = autoscaler.cluster(cluster).orElseThrow();
        assertEquals(0, state.nodes().size(), "its state is dropped (rebuilt by the next owner's replay)");
        assertEquals(0, state.queuedDemand().nodes());
        assertEquals(4, state.spec().maxInstances(), "the definition stays: every instance answers for it");

        holdSend = null;
        demand(cluster, 3);
        clock.advance(Duration.ofMinutes(1));
        autoscaler.tick();
        assertEquals(1, requests.size(), "no decision for a cluster it gave up");
        assertFalse(owned.decides(cluster));
    }

    @Test
    void aPartitionRevokedAndAssignedAgainIsDecidedForOnlyAfterItsNextReplay() {
        String cluster = CLUSTERS.get(0);
        int p = ClusterPartition.of(cluster, PARTITIONS);
        ownership.assigned(Set.of(p), PARTITIONS);
        owned.caughtUp(Set.of(p));
        ownership.revoked(Set.of(p));
        ownership.assigned(Set.of(p), PARTITIONS);
        demand(cluster, 1);
        assertEquals(List.of(), requests, "owned again, but not replayed again yet");
        owned.caughtUp(Set.of(p));
        autoscaler.tick();
        assertEquals(1, requests.size());
    }

    private void demand(String cluster, int nodes) {
        autoscaler.onDemand(new ClusterDemandChangedV2(
                cluster,
                List.of(),
                1,
                nodes,
                List.of(new ClusterDemandChangedV2.JobsOfSize(nodes, 1)),
                List.of(),
                List.of(),
                clock.instant()));
    }
}
