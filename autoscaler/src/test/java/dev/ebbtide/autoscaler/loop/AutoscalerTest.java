package dev.ebbtide.autoscaler.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.autoscaler.config.TestConfig;
import dev.ebbtide.autoscaler.messaging.AutoscalerEvents;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.ClusterBackoffChangedV2;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.WaitReason;
import dev.ebbtide.devsupport.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The autoscaler's event handling around the pure policy, with a clock that only moves when told. */
class AutoscalerTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    final MutableClock clock = new MutableClock(T0);
    final List<ScaleRequested> requests = new ArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Autoscaler autoscaler;

    @BeforeEach
    void setUp() {
        autoscaler = new Autoscaler();
        autoscaler.clock = clock;
        autoscaler.registry = registry;
        autoscaler.config = TestConfig.autoscaler();
        autoscaler.events = new AutoscalerEvents() {
            @Override
            public void scaleRequested(ScaleRequested event) {
                requests.add(event);
            }
        };
        autoscaler.onClusterDefined(new ClusterDefined(new ClusterSpec("cl", null, null, 0, 4, 30, null), null, T0));
    }

    @Test
    void asksOnceForWhatTheQueueNeedsAndNotAgainWhileInFlight() {
        demand(List.of(2, 1), List.of());
        assertEquals(1, requests.size());
        assertEquals(3, requests.get(0).targetCount());
        assertEquals("QUEUE_NEEDS_NODES", requests.get(0).reasons().get(0).code());
        clock.advance(Duration.ofSeconds(5));
        autoscaler.tick();
        demand(List.of(2, 1), List.of());
        assertEquals(1, requests.size(), "capacity in flight is not requested twice");
        node("cl-0", NodeState.preparing);
        node("cl-1", NodeState.preparing);
        node("cl-2", NodeState.preparing);
        autoscaler.tick();
        assertEquals(1, requests.size());
        assertTrue(registry.get("ebbtide_autoscaler_scale_decisions_total")
                        .tag("direction", "up")
                        .counter()
                        .count()
                >= 1);
        assertEquals(
                3.0,
                registry.get("ebbtide_autoscaler_nodes")
                        .tags("cluster", "cl", "state", "preparing")
                        .gauge()
                        .value());
        assertEquals(
                3.0,
                registry.get("ebbtide_autoscaler_queued_nodes")
                        .tag("cluster", "cl")
                        .gauge()
                        .value());
    }

    @Test
    void removesIdleNodesOnlyAfterTheIdleTimeAndNeverBusyOnes() {
        node("cl-0", NodeState.idle);
        node("cl-1", NodeState.idle);
        demand(List.of(), List.of("cl-1")); // the scheduler gave c-1 to a job
        clock.advance(Duration.ofSeconds(29));
        autoscaler.tick();
        assertEquals(List.of(), requests, "not before the idle time");
        clock.advance(Duration.ofSeconds(1));
        autoscaler.tick();
        assertEquals(1, requests.size());
        assertEquals(List.of("cl-0"), requests.get(0).removeNodes());
        assertEquals(1, requests.get(0).targetCount());
        assertEquals("IDLE_TIMEOUT", requests.get(0).reasons().get(0).code());
        autoscaler.tick();
        assertEquals(1, requests.size(), "a node being removed is not removed twice");
    }

    @Test
    void aNodeTurningBusyBeforeTheSchedulersNextDemandDoesNotTriggerAnotherScaleUp() {
        node("cl-0", NodeState.idle);
        node("cl-1", NodeState.idle);
        demand(List.of(2), List.of());
        assertEquals(List.of(), requests, "two idle nodes for a 2-node job");
        node("cl-0", NodeState.running); // the job started; the demand event that says so is still on its way
        autoscaler.tick();
        assertEquals(List.of(), requests, "the queue we hold is older than the node states: no scale-up");
        demand(List.of(), List.of("cl-0", "cl-1"));
        node("cl-1", NodeState.running);
        autoscaler.tick();
        assertEquals(List.of(), requests);
        demand(List.of(1), List.of("cl-0", "cl-1")); // a new job really waits
        assertEquals(1, requests.size());
        assertEquals(3, requests.get(0).targetCount());
    }

    @Test
    void aBackingOffClusterDoesNotGrowAndSaysWhy() {
        autoscaler.onBackoff(new ClusterBackoffChangedV2(
                "cl", new WaitReason.CloudError(ErrorClass.QUOTA_EXCEEDED, "quota", T0.plusSeconds(30)), T0));
        demand(List.of(1), List.of());
        assertEquals(List.of(), requests);
        assertTrue(autoscaler.cluster("cl").orElseThrow().lastDecision().reasons().stream()
                .anyMatch(r -> r.code().name().equals("BACKING_OFF")));
        clock.advance(Duration.ofSeconds(31));
        autoscaler.tick();
        assertEquals(1, requests.size(), "scales up once the backoff is over");
    }

    @Test
    void aQuotaWaitShowsItsSentenceAndEndsAtOnceWhenTheProvisionerLetsTheClusterGo() {
        autoscaler.onBackoff(new ClusterBackoffChangedV2(
                "cl", new WaitReason.Quota("standardNCSv3Family", 24, 24, T0.plusSeconds(30)), T0));
        demand(List.of(1), List.of());
        assertEquals(List.of(), requests);
        assertEquals(
                "waiting for quota: standardNCSv3Family uses 24 of 24 cores",
                autoscaler.cluster("cl").orElseThrow().backoff().reason());
        autoscaler.onBackoff(ClusterBackoffChangedV2.ended("cl", T0));
        assertEquals(1, requests.size(), "quota raised: scales up without waiting for the 30 s");
    }

    @Test
    void aStoppedInstanceWaitsWithNoEndUntilItRuns() {
        autoscaler.onBackoff(new ClusterBackoffChangedV2(
                "cl", new WaitReason.InstanceStopped("cl", "Stopped", "stopped by ./ebbtide compute stop"), T0));
        demand(List.of(1), List.of());
        assertEquals(List.of(), requests);
        assertEquals(null, autoscaler.cluster("cl").orElseThrow().backoff().until(), "no sentinel end");
        clock.advance(Duration.ofDays(4000));
        autoscaler.tick();
        assertEquals(List.of(), requests, "still stopped, however long");
        autoscaler.onBackoff(ClusterBackoffChangedV2.ended("cl", clock.instant()));
        assertEquals(1, requests.size(), "running again");
    }

    @Test
    void aVersionOneRecordIsReadAsTheTypedReason() {
        autoscaler.onBackoff(new ClusterBackoffChanged(
                        "cl",
                        T0.plusSeconds(30),
                        "QUOTA_WAIT",
                        "waiting for quota: standardNCSv3Family uses 24 of 24 cores",
                        T0)
                .toV2());
        demand(List.of(1), List.of());
        assertEquals(List.of(), requests);
        assertEquals(
                "waiting for quota",
                autoscaler.cluster("cl").orElseThrow().backoff().reason());
    }

    @Test
    void aPolicyChangeAtRuntimeAppliesToTheNextDecision() {
        node("cl-0", NodeState.idle);
        clock.advance(Duration.ofSeconds(10));
        autoscaler.tick();
        assertEquals(List.of(), requests);
        autoscaler.onClusterDefined(
                new ClusterDefined(new ClusterSpec("cl", null, null, 0, 4, 5, null), null, clock.instant()));
        assertEquals(1, requests.size(), "idle 10 s >= new idle time 5 s");
        assertEquals(List.of("cl-0"), requests.get(0).removeNodes());
    }

    @Test
    void oldV1DemandStillLeftInTheTopicIsRead() {
        List<QueuedJob> queue = List.of(new QueuedJob("j0", 2, "medium", T0), new QueuedJob("j1", 1, "medium", T0));
        autoscaler.onDemand(new ClusterDemandChanged("cl", queue, 3, List.of(), T0));
        assertEquals(1, requests.size());
        assertEquals(3, requests.get(0).targetCount());
        assertEquals(2, autoscaler.cluster("cl").orElseThrow().queuedDemand().jobs());
    }

    @Test
    void aDeepQueueIsKeptAsCountsAndDecidedFromThem() {
        autoscaler.onDemand(new ClusterDemandChangedV2(
                "cl",
                List.of(),
                100_001,
                100_004,
                List.of(new ClusterDemandChangedV2.JobsOfSize(1, 99_999), new ClusterDemandChangedV2.JobsOfSize(2, 2)),
                List.of(),
                List.of(),
                T0));
        assertEquals(
                2,
                autoscaler.cluster("cl").orElseThrow().queuedDemand().bySize().size());
        assertEquals(4, requests.get(0).targetCount(), "capped at max 4");
    }

    @Test
    void eachArrivalIsObservedOnceEvenIfPlacedAtOnceOrDeliveredTwice() {
        for (String name : List.of("once", "twice")) {
            autoscaler.onClusterDefined(
                    new ClusterDefined(new ClusterSpec(name, null, null, 0, 100, 300, null), "adaptive", T0));
        }
        List<ClusterDemandChangedV2.Arrival> arrivals = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            arrivals.add(new ClusterDemandChangedV2.Arrival("a" + i, 1, T0));
        }
        // every job was placed at once on a warm node: nothing queued, yet all 60 are arrivals
        autoscaler.onDemand(new ClusterDemandChangedV2("once", List.of(), 0, 0, List.of(), List.of(), arrivals, T0));
        for (int k = 0; k < 2; k++) {
            autoscaler.onDemand(
                    new ClusterDemandChangedV2("twice", List.of(), 0, 0, List.of(), List.of(), arrivals, T0));
        }
        ScaleRequested once = requests.stream()
                .filter(r -> r.cluster().equals("once"))
                .findFirst()
                .orElseThrow();
        assertTrue(once.targetCount() > 0, "arrivals predict demand: " + once);
        assertEquals("PREDICTED_DEMAND", once.reasons().get(0).code());
        assertEquals(
                once.targetCount(),
                autoscaler.cluster("twice").orElseThrow().lastDecision().targetCount(),
                "the redelivered arrivals were not counted again");
    }

    @Test
    void asksForTheNewNodesOfEachQueuedGangAsOneUnit() {
        node("cl-0", NodeState.idle);
        demand(List.of(1, 3), List.of());
        assertEquals(1, requests.size());
        assertEquals(4, requests.get(0).targetCount());
        assertEquals(
                List.of(new ScaleRequested.Unit("j1", 3)),
                requests.get(0).units(),
                "the idle node serves j0; j1's three new nodes are one unit");
    }

    @Test
    void aNodeHeldForAGangShowsItsJobAndDeadline() {
        Instant until = T0.plusSeconds(600);
        autoscaler.onNodeState(new NodeStateChanged(
                "cl",
                "cl-0",
                NodeState.idle,
                NodeState.preparing,
                null,
                null,
                null,
                null,
                clock.instant(),
                "j1",
                until,
                "Standard_NC6s_v3",
                "low_priority"));
        ClusterState.NodeInfo info =
                autoscaler.cluster("cl").orElseThrow().nodes().get("cl-0");
        assertEquals("j1", info.heldFor());
        assertEquals(until, info.heldUntil());
        assertEquals("Standard_NC6s_v3", info.size());
        assertEquals("low_priority", info.tier());
    }

    private void demand(List<Integer> nodes, List<String> busy) {
        List<QueuedJob> head = new ArrayList<>();
        java.util.Map<Integer, Integer> bySize = new java.util.TreeMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            head.add(new QueuedJob("j" + i, nodes.get(i), "medium", clock.instant()));
            bySize.merge(nodes.get(i), 1, Integer::sum);
        }
        List<ClusterDemandChangedV2.JobsOfSize> sizes = new ArrayList<>();
        bySize.forEach((n, jobs) -> sizes.add(new ClusterDemandChangedV2.JobsOfSize(n, jobs)));
        autoscaler.onDemand(new ClusterDemandChangedV2(
                "cl",
                head,
                nodes.size(),
                nodes.stream().mapToInt(Integer::intValue).sum(),
                sizes,
                busy,
                List.of(),
                clock.instant()));
    }

    private void node(String name, NodeState state) {
        autoscaler.onNodeState(new NodeStateChanged("cl", name, state, null, null, null, clock.instant()));
    }
}
