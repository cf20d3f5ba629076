package dev.ebbtide.provisioner.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.azureml.ComputeInstance;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.core.instance.InstanceEvent;
import dev.ebbtide.core.instance.InstanceState;
import dev.ebbtide.devsupport.MutableClock;
import dev.ebbtide.provisioner.cloud.CloudException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The instance driver around the pure lifecycle: a recording provider and a clock that moves when told. */
class InstancesTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T17:50:00Z"));
    final List<String> calls = new ArrayList<>();
    boolean failStarts;
    final InstanceNodes nodes = new InstanceNodes() {
        @Override
        public void start(ClusterSpec instance, String node) {
            if (failStarts) {
                throw new CloudException(ErrorClass.CAPACITY_UNAVAILABLE, "no capacity");
            }
            calls.add("start " + node);
        }

        @Override
        public void stop(ClusterSpec instance, String node) {
            calls.add("stop " + node);
        }

        @Override
        public void delete(ClusterSpec instance, String node) {
            calls.add("delete " + node);
        }
    };
    final Instances instances = new Instances(nodes, clock);

    static ClusterSpec instance(Long idleSeconds, ComputeInstance.Schedule... schedules) {
        return new ClusterSpec(
                "ci-1",
                "Standard_DS3_v2",
                "dedicated",
                0,
                1,
                0,
                null,
                ClusterSpec.COMPUTE_INSTANCE,
                null,
                new ComputeInstance(idleSeconds, List.of(schedules)));
    }

    InstanceState state() {
        return instances.view("ci-1").orElseThrow().state();
    }

    @Test
    void anInstanceTakenOverFromItsRecordKeepsItsStateAndIsNotStartedAgain() {
        instances.restore(
                "ci-1",
                new dev.ebbtide.common.events.ProvisionerClusterState.Instance(
                        "Stopped", clock.instant(), null, "stopped by an operator"));
        instances.defined(instance(60L));
        assertEquals(List.of(), calls, "a stopped instance stays stopped after a takeover");
        assertEquals(InstanceState.Stopped, state());
        assertEquals("Stopped", instances.record("ci-1").orElseThrow().state());
        instances.forget("ci-1"); // handed over: its node is left as it is
        assertTrue(instances.views().isEmpty());
        assertEquals(List.of(), calls);

        instances.restore(
                "ci-1",
                new dev.ebbtide.common.events.ProvisionerClusterState.Instance(
                        "Creating", clock.instant(), null, "defined"));
        instances.defined(instance(60L));
        assertEquals(List.of("start ci-1"), calls, "one caught while being created is created again (idempotent)");
    }

    @Test
    void createdAtOnceRunningWhenItsAgentSpeaksStoppedWhenIdleStartedAgain() {
        instances.defined(instance(60L));
        assertEquals(List.of("start ci-1"), calls);
        assertEquals(InstanceState.Creating, state());
        instances.nodeState("ci-1", NodeState.idle, "its agent announced itself");
        assertEquals(InstanceState.Running, state());
        instances.nodeState("ci-1", NodeState.running, null);
        assertEquals(InstanceState.JobRunning, state());
        clock.advance(Duration.ofMinutes(5));
        instances.tick();
        assertEquals(InstanceState.JobRunning, state(), "a busy instance is never idle-stopped");
        instances.nodeState("ci-1", NodeState.idle, null);
        clock.advance(Duration.ofSeconds(59));
        instances.tick();
        assertEquals(InstanceState.Running, state());
        clock.advance(Duration.ofSeconds(1));
        instances.tick();
        assertEquals(InstanceState.Stopped, state());
        assertEquals(
                "idle for 60 s (idle_time_before_shutdown)",
                instances.view("ci-1").orElseThrow().reason());
        assertEquals(List.of("start ci-1", "stop ci-1"), calls);

        assertEquals(
                "ci-1 is Stopped: only a running or failed instance can be restarted",
                instances
                        .request("ci-1", new InstanceEvent.Restart())
                        .orElseThrow()
                        .refusal());
        assertTrue(instances
                        .request("ci-1", new InstanceEvent.Start(InstanceEvent.Source.OPERATOR))
                        .orElseThrow()
                        .refusal()
                == null);
        assertEquals(InstanceState.Starting, state());
        assertEquals(List.of("start ci-1", "stop ci-1", "start ci-1"), calls);
        assertTrue(instances.request("nope", new InstanceEvent.Restart()).isEmpty());
    }

    @Test
    void schedulesStopAndStartItWhenTheirCronFires() {
        instances.defined(instance(
                null,
                new ComputeInstance.Schedule("stop", "0 18 * * *", "UTC", true),
                new ComputeInstance.Schedule("start", "30 18 * * *", "UTC", true),
                new ComputeInstance.Schedule("stop", "15 18 * * *", "UTC", false)));
        instances.nodeState("ci-1", NodeState.idle, null);
        clock.advance(Duration.ofMinutes(9)); // 17:59
        instances.tick();
        assertEquals(InstanceState.Running, state());
        clock.advance(Duration.ofMinutes(1)); // 18:00
        instances.tick();
        assertEquals(InstanceState.Stopped, state());
        assertEquals(
                "stopped by its schedule", instances.view("ci-1").orElseThrow().reason());
        clock.advance(Duration.ofMinutes(30)); // 18:30 (the disabled 18:15 stop changed nothing)
        instances.tick();
        assertEquals(InstanceState.Starting, state());
        assertEquals(List.of("start ci-1", "stop ci-1", "start ci-1"), calls);
    }

    @Test
    void aStartTheProviderCannotDoLeavesItFailedWithTheReason() {
        failStarts = true;
        instances.defined(instance(null));
        assertEquals(InstanceState.Failed, state());
        assertTrue(instances.view("ci-1").orElseThrow().reason().contains("no capacity"));
    }
}
