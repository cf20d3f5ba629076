package dev.ebbtide.autoscaler.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.autoscaler.config.TestConfig;
import dev.ebbtide.autoscaler.messaging.AutoscalerEvents;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.ClusterDemandChangedV2.Arrival;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.core.scaling.ArrivalHistory;
import dev.ebbtide.core.scaling.ReasonCode;
import dev.ebbtide.core.scaling.ScalingDecision;
import dev.ebbtide.devsupport.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The autoscaler keeps each cluster's arrival history: every arrival counts once, whatever the cluster's policy. */
class ArrivalHistoryKeptTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    final MutableClock clock = new MutableClock(T0);
    final List<ScaleRequested> requests = new ArrayList<>();
    Autoscaler autoscaler;

    @BeforeEach
    void setUp() {
        autoscaler = new Autoscaler();
        autoscaler.clock = clock;
        autoscaler.registry = new SimpleMeterRegistry();
        autoscaler.config = TestConfig.autoscaler();
        autoscaler.events = new AutoscalerEvents() {
            @Override
            public void scaleRequested(ScaleRequested event) {
                requests.add(event);
            }
        };
        autoscaler.onClusterDefined(new ClusterDefined(new ClusterSpec("cl", null, null, 0, 20, 1800, null), null, T0));
        for (int n = 0; n < 10; n++) {
            autoscaler.onNodeState(new NodeStateChanged("cl", "cl-" + n, NodeState.idle, null, null, null, T0));
        }
    }

    private ArrivalHistory history() {
        return autoscaler.cluster("cl").orElseThrow().arrivals();
    }

    @Test
    void jobsPlacedAtOnceCountAsArrivalsAndRedeliveryDoesNotCountTwice() {
        List<Arrival> arrivals = new ArrayList<>();
        for (int j = 0; j < 10; j++) {
            arrivals.add(new Arrival("job-" + j, 1, T0));
        }
        // all ten placed at once on warm nodes: the queue is empty, the arrivals are all there is to learn from
        ClusterDemandChangedV2 e = new ClusterDemandChangedV2(
                "cl",
                List.of(),
                0,
                0,
                List.of(),
                List.of("cl-0", "cl-1", "cl-2", "cl-3", "cl-4", "cl-5", "cl-6", "cl-7", "cl-8", "cl-9"),
                arrivals,
                T0);
        autoscaler.onDemand(e);
        autoscaler.onDemand(e); // redelivered

        assertEquals(10 / 300.0, history().rate(), 1e-12);
        assertEquals(T0, history().last());
    }

    @Test
    void aDryRunOrASwitchToAnAdaptivePolicyUsesTheClustersHistory() {
        List<Arrival> arrivals = new ArrayList<>();
        for (int j = 0; j < 10; j++) {
            arrivals.add(new Arrival("job-" + j, 1, T0));
        }
        autoscaler.onDemand(new ClusterDemandChangedV2("cl", List.of(), 0, 0, List.of(), List.of(), arrivals, T0));
        clock.set(T0.plusSeconds(30));

        ScalingDecision dry = autoscaler.dryRun("cl", null, "adaptive").orElseThrow();

        // the cluster ran fixed-idle all along; adaptive, tried now, already knows 10 nodes were asked for 30 s ago
        assertTrue(dry.reasons().stream().anyMatch(r -> r.code() == ReasonCode.KEPT_WARM), dry.explain());
        assertTrue(dry.removeNodes().size() < 10, dry.explain());
        ScalingDecision blind = autoscaler.dryRun("cl", null, "adaptive").orElseThrow();
        assertEquals(dry, blind, "a dry run changes nothing");
    }
}
