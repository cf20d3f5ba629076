package dev.ebbtide.core.instance;

import static dev.ebbtide.core.instance.InstanceOutcome.Action.DELETE_NODE;
import static dev.ebbtide.core.instance.InstanceOutcome.Action.START_NODE;
import static dev.ebbtide.core.instance.InstanceOutcome.Action.STOP_NODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.core.instance.InstanceEvent.Source;
import dev.ebbtide.core.instance.InstanceOutcome.Action;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InstanceLifecycleTest {
    static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");
    static final Duration IDLE = Duration.ofMinutes(20);

    static InstanceSnapshot in(InstanceState state) {
        return new InstanceSnapshot("ci-1", state, T0, state == InstanceState.Running ? T0 : null, IDLE, "test");
    }

    static Stream<Arguments> transitions() {
        return Stream.of(
                Arguments.of(
                        InstanceState.Creating,
                        new InstanceEvent.Create(),
                        InstanceState.Creating,
                        List.of(START_NODE)),
                Arguments.of(InstanceState.Creating, new InstanceEvent.NodeUp(), InstanceState.Running, List.of()),
                Arguments.of(
                        InstanceState.Running, new InstanceEvent.NodeBusy(true), InstanceState.JobRunning, List.of()),
                Arguments.of(
                        InstanceState.JobRunning, new InstanceEvent.NodeBusy(false), InstanceState.Running, List.of()),
                Arguments.of(
                        InstanceState.Running,
                        new InstanceEvent.Stop(Source.OPERATOR),
                        InstanceState.Stopping,
                        List.of(STOP_NODE)),
                Arguments.of(
                        InstanceState.JobRunning,
                        new InstanceEvent.Stop(Source.SCHEDULE),
                        InstanceState.Stopping,
                        List.of(STOP_NODE)),
                Arguments.of(
                        InstanceState.Stopping,
                        new InstanceEvent.NodeDown("stopped"),
                        InstanceState.Stopped,
                        List.of()),
                Arguments.of(
                        InstanceState.Stopped,
                        new InstanceEvent.Start(Source.OPERATOR),
                        InstanceState.Starting,
                        List.of(START_NODE)),
                Arguments.of(
                        InstanceState.Stopped,
                        new InstanceEvent.Start(Source.SCHEDULE),
                        InstanceState.Starting,
                        List.of(START_NODE)),
                Arguments.of(InstanceState.Starting, new InstanceEvent.NodeUp(), InstanceState.Running, List.of()),
                Arguments.of(
                        InstanceState.Running,
                        new InstanceEvent.Restart(),
                        InstanceState.Restarting,
                        List.of(STOP_NODE, START_NODE)),
                Arguments.of(
                        InstanceState.Restarting,
                        new InstanceEvent.NodeDown("stopped"),
                        InstanceState.Restarting,
                        List.of()),
                Arguments.of(InstanceState.Restarting, new InstanceEvent.NodeUp(), InstanceState.Running, List.of()),
                Arguments.of(
                        InstanceState.Running,
                        new InstanceEvent.NodeDown("agent silent"),
                        InstanceState.Failed,
                        List.of()),
                Arguments.of(
                        InstanceState.Starting,
                        new InstanceEvent.NodeFailed("no capacity"),
                        InstanceState.Failed,
                        List.of()),
                Arguments.of(
                        InstanceState.Failed,
                        new InstanceEvent.Start(Source.OPERATOR),
                        InstanceState.Starting,
                        List.of(START_NODE)),
                Arguments.of(
                        InstanceState.Failed,
                        new InstanceEvent.Restart(),
                        InstanceState.Restarting,
                        List.of(STOP_NODE, START_NODE)),
                Arguments.of(
                        InstanceState.Stopped,
                        new InstanceEvent.Delete(),
                        InstanceState.Deleting,
                        List.of(DELETE_NODE)),
                Arguments.of(
                        InstanceState.JobRunning,
                        new InstanceEvent.Delete(),
                        InstanceState.Deleting,
                        List.of(DELETE_NODE)),
                Arguments.of(
                        InstanceState.Deleting,
                        new InstanceEvent.NodeDown("deleted"),
                        InstanceState.Deleted,
                        List.of()),
                // nothing to do
                Arguments.of(
                        InstanceState.Stopped,
                        new InstanceEvent.Stop(Source.SCHEDULE),
                        InstanceState.Stopped,
                        List.of()),
                Arguments.of(
                        InstanceState.Starting,
                        new InstanceEvent.Start(Source.SCHEDULE),
                        InstanceState.Starting,
                        List.of()),
                Arguments.of(InstanceState.Stopping, new InstanceEvent.NodeUp(), InstanceState.Stopping, List.of()),
                Arguments.of(
                        InstanceState.Stopped, new InstanceEvent.NodeBusy(true), InstanceState.Stopped, List.of()));
    }

    @ParameterizedTest(name = "{0} + {1} -> {2} {3}")
    @MethodSource("transitions")
    void transition(InstanceState from, InstanceEvent event, InstanceState to, List<Action> actions) {
        InstanceOutcome o = InstanceLifecycle.apply(in(from), event, T0.plusSeconds(5));
        assertEquals(to, o.instance().state());
        assertEquals(actions, o.actions());
        assertNull(o.refusal());
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of(
                        InstanceState.Running,
                        new InstanceEvent.Start(Source.OPERATOR),
                        "ci-1 is Running: only a Stopped or Failed instance can be started"),
                Arguments.of(
                        InstanceState.Deleting,
                        new InstanceEvent.Stop(Source.OPERATOR),
                        "ci-1 is Deleting: it cannot be stopped"),
                Arguments.of(
                        InstanceState.Stopped,
                        new InstanceEvent.Restart(),
                        "ci-1 is Stopped: only a running or failed instance can be restarted"),
                Arguments.of(InstanceState.Deleted, new InstanceEvent.Start(Source.OPERATOR), "ci-1 is deleted"));
    }

    @ParameterizedTest(name = "{0} + {1} refused")
    @MethodSource("refusals")
    void refusedRequestsChangeNothingAndSayWhy(InstanceState from, InstanceEvent event, String why) {
        InstanceOutcome o = InstanceLifecycle.apply(in(from), event, T0.plusSeconds(5));
        assertEquals(why, o.refusal());
        assertEquals(from, o.instance().state());
        assertTrue(o.actions().isEmpty());
    }

    @Test
    void idleShutdownStopsARunningInstanceOnlyAfterItsIdleTime() {
        InstanceSnapshot running = InstanceLifecycle.apply(in(InstanceState.Starting), new InstanceEvent.NodeUp(), T0)
                .instance();
        assertEquals(T0, running.idleSince());
        assertEquals(T0.plus(IDLE), InstanceLifecycle.nextCheckAt(running));
        InstanceOutcome early = InstanceLifecycle.apply(
                running, new InstanceEvent.Tick(), T0.plus(IDLE).minusSeconds(1));
        assertEquals(InstanceState.Running, early.instance().state());
        InstanceOutcome due = InstanceLifecycle.apply(running, new InstanceEvent.Tick(), T0.plus(IDLE));
        assertEquals(InstanceState.Stopping, due.instance().state());
        assertEquals(List.of(STOP_NODE), due.actions());
        assertEquals(
                "idle for 1200 s (idle_time_before_shutdown)", due.instance().reason());
        InstanceOutcome stopped =
                InstanceLifecycle.apply(due.instance(), new InstanceEvent.NodeDown("agent stopped"), T0.plus(IDLE));
        assertEquals(InstanceState.Stopped, stopped.instance().state());
        assertEquals(
                "idle for 1200 s (idle_time_before_shutdown)",
                stopped.instance().reason(),
                "why it stopped");
    }

    @Test
    void aJobResetsTheIdleClockAndABusyInstanceIsNeverIdleStopped() {
        InstanceSnapshot running = in(InstanceState.Running);
        InstanceSnapshot busy = InstanceLifecycle.apply(running, new InstanceEvent.NodeBusy(true), T0.plusSeconds(60))
                .instance();
        assertEquals(
                InstanceState.JobRunning,
                InstanceLifecycle.apply(
                                busy, new InstanceEvent.Tick(), T0.plus(IDLE).plusSeconds(3600))
                        .instance()
                        .state());
        InstanceSnapshot idleAgain = InstanceLifecycle.apply(
                        busy, new InstanceEvent.NodeBusy(false), T0.plusSeconds(600))
                .instance();
        assertEquals(T0.plusSeconds(600), idleAgain.idleSince());
        assertEquals(
                InstanceState.Running,
                InstanceLifecycle.apply(idleAgain, new InstanceEvent.Tick(), T0.plus(IDLE))
                        .instance()
                        .state());
    }

    @Test
    void withoutAnIdleTimeItIsNeverStoppedForIdleness() {
        InstanceSnapshot running = new InstanceSnapshot("ci-1", InstanceState.Running, T0, T0, null, "test");
        assertNull(InstanceLifecycle.nextCheckAt(running));
        assertEquals(
                InstanceState.Running,
                InstanceLifecycle.apply(running, new InstanceEvent.Tick(), T0.plus(Duration.ofDays(30)))
                        .instance()
                        .state());
    }
}
