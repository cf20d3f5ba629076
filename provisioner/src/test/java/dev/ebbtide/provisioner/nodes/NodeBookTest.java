package dev.ebbtide.provisioner.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.NodeAgentStatus.Kind;
import dev.ebbtide.common.events.NodeAgentStatus.RunningRank;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The node view as a fold: each row is a sequence of (seconds, event) and the states it must publish. */
class NodeBookTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String C = "c";
    static final String N = "c-0";
    static final Duration LOST_AFTER = Duration.ofSeconds(60);

    /** One step of a scenario: what happens at T0 + seconds. */
    record Step(int seconds, BiFunction<NodeBook, Instant, List<NodeBook.Change>> event) {}

    static Step at(int s, BiFunction<NodeBook, Instant, List<NodeBook.Change>> e) {
        return new Step(s, e);
    }

    static Step requested(int s) {
        return at(s, (b, now) -> b.requested(C, N, "requested"));
    }

    static Step listed(int s, CloudNodeStatus... statuses) {
        return at(
                s,
                (b, now) -> b.listed(
                        C, Stream.of(statuses).map(x -> CloudNode.of(N, x, T0)).toList(), now));
    }

    static Step status(int s, Kind kind, List<RunningRank> running, List<String> finished) {
        return at(
                s,
                (b, now) -> b.agentStatus(
                        new NodeAgentStatus(
                                kind,
                                C,
                                N,
                                "agent-1",
                                "10.0.0.4",
                                29500,
                                4,
                                16_000L,
                                0,
                                "0.1.0",
                                running,
                                finished,
                                T0.plusSeconds(s)),
                        now));
    }

    static Step heartbeat(int s) {
        return status(s, Kind.HEARTBEAT, List.of(), List.of());
    }

    static Step assigned(int s, String job, int attempt) {
        return at(
                s,
                (b, now) -> b.assigned(
                        new JobAssigned(
                                job,
                                C,
                                List.of(N),
                                new JobSpec("true", 1, Map.of(), null, null, null, null),
                                attempt,
                                now),
                        now));
    }

    static Step attach(int s) {
        return at(s, (b, now) -> b.attach(C, now));
    }

    static Step tick(int s) {
        return at(s, NodeBook::tick);
    }

    static final List<RunningRank> RUNS_J1 = List.of(new RunningRank("j1", 1, 0));

    static Stream<Arguments> scenarios() {
        return Stream.of(
                Arguments.of(
                        "preparing until the agent speaks, then idle",
                        List.of(
                                requested(0),
                                listed(1, CloudNodeStatus.READY),
                                tick(30),
                                status(40, Kind.ANNOUNCED, List.of(), List.of())),
                        List.of(NodeState.preparing, NodeState.idle)),
                Arguments.of(
                        "running while the agent runs a rank, idle after",
                        List.of(
                                requested(0),
                                status(1, Kind.ANNOUNCED, List.of(), List.of()),
                                listed(1, CloudNodeStatus.READY),
                                status(5, Kind.HEARTBEAT, RUNS_J1, List.of()),
                                status(9, Kind.HEARTBEAT, List.of(), List.of("j1#1"))),
                        List.of(NodeState.preparing, NodeState.idle, NodeState.running, NodeState.idle)),
                Arguments.of(
                        "busy from the assignment: a heartbeat that has not seen it yet keeps it running",
                        List.of(
                                requested(0),
                                listed(0, CloudNodeStatus.READY),
                                heartbeat(1),
                                assigned(2, "j1", 1),
                                heartbeat(3),
                                status(4, Kind.HEARTBEAT, RUNS_J1, List.of()),
                                status(8, Kind.HEARTBEAT, List.of(), List.of("j1#1"))),
                        List.of(NodeState.preparing, NodeState.idle, NodeState.running, NodeState.idle)),
                Arguments.of(
                        "an assignment the agent already finished does not make it busy",
                        List.of(
                                requested(0),
                                listed(0, CloudNodeStatus.READY),
                                status(1, Kind.HEARTBEAT, List.of(), List.of("j1#1")),
                                assigned(2, "j1", 1)),
                        List.of(NodeState.preparing, NodeState.idle)),
                Arguments.of(
                        "lost after 60 s of silence, not before",
                        List.of(requested(0), listed(0, CloudNodeStatus.READY), heartbeat(1), tick(60), tick(61)),
                        List.of(NodeState.preparing, NodeState.idle, NodeState.lost)),
                Arguments.of(
                        "a heart-beating node is never lost",
                        List.of(
                                requested(0),
                                listed(0, CloudNodeStatus.READY),
                                heartbeat(1),
                                heartbeat(50),
                                tick(100),
                                heartbeat(105),
                                tick(110)),
                        List.of(NodeState.preparing, NodeState.idle)),
                Arguments.of(
                        "lost is sticky: a late heartbeat does not revive it",
                        List.of(requested(0), listed(0, CloudNodeStatus.READY), heartbeat(1), tick(70), heartbeat(71)),
                        List.of(NodeState.preparing, NodeState.idle, NodeState.lost)),
                Arguments.of(
                        "an agent that says it is stopping is lost at once",
                        List.of(
                                requested(0),
                                listed(0, CloudNodeStatus.READY),
                                heartbeat(1),
                                status(2, Kind.STOPPING, List.of(), List.of())),
                        List.of(NodeState.preparing, NodeState.idle, NodeState.lost)),
                Arguments.of(
                        "a node leaving for a scale-down is not lost when its agent stops",
                        List.of(
                                requested(0),
                                listed(0, CloudNodeStatus.READY),
                                heartbeat(1),
                                at(2, (b, now) -> b.leaving(N, "scale-down")),
                                status(3, Kind.STOPPING, List.of(), List.of()),
                                tick(100)),
                        List.of(NodeState.preparing, NodeState.idle, NodeState.leaving)),
                Arguments.of(
                        "a leaving node whose deletion failed follows its agent again, or is lost if the agent stopped",
                        List.of(
                                requested(0),
                                listed(0, CloudNodeStatus.READY),
                                heartbeat(1),
                                at(2, (b, now) -> b.leaving(N, "scale-down")),
                                at(3, (b, now) -> b.kept(N, "failed", now)),
                                at(4, (b, now) -> b.leaving(N, "scale-down")),
                                status(5, Kind.STOPPING, List.of(), List.of()),
                                at(6, (b, now) -> b.kept(N, "failed", now))),
                        List.of(
                                NodeState.preparing,
                                NodeState.idle,
                                NodeState.leaving,
                                NodeState.idle,
                                NodeState.leaving,
                                NodeState.lost)),
                Arguments.of(
                        "a node that never announced is not lost (the reconciler gives it up)",
                        List.of(requested(0), listed(0, CloudNodeStatus.READY), tick(600)),
                        List.of(NodeState.preparing)),
                Arguments.of(
                        "a node gone from the cloud is deleted",
                        List.of(requested(0), listed(0, CloudNodeStatus.READY), heartbeat(1), listed(2)),
                        List.of(NodeState.preparing, NodeState.idle, NodeState.deleted)),
                Arguments.of(
                        "cloud states win over the agent: deleting, preempted",
                        List.of(
                                requested(0),
                                heartbeat(1),
                                listed(1, CloudNodeStatus.READY),
                                listed(2, CloudNodeStatus.PREEMPTED)),
                        List.of(NodeState.preparing, NodeState.idle, NodeState.preempted)),
                Arguments.of(
                        "restart: an unknown node in the cloud with a heart-beating agent is adopted at once, running",
                        List.of(status(0, Kind.HEARTBEAT, RUNS_J1, List.of()), listed(1, CloudNodeStatus.READY)),
                        List.of(NodeState.running)),
                Arguments.of(
                        "restart: an unknown node whose agent's last status is old is left to the reconciler",
                        List.of(heartbeat(0), listed(61, CloudNodeStatus.READY)),
                        List.of()),
                Arguments.of(
                        "restart: an unknown node without an agent is left to the reconciler",
                        List.of(listed(0, CloudNodeStatus.READY), tick(100)),
                        List.of()),
                Arguments.of(
                        "attached: a machine joins when its agent speaks, idle at once (no preparing)",
                        List.of(attach(0), status(1, Kind.ANNOUNCED, List.of(), List.of()), heartbeat(20)),
                        List.of(NodeState.idle)),
                Arguments.of(
                        "attached: an agent heart-beating before the pool was known joins when it is",
                        List.of(status(0, Kind.HEARTBEAT, RUNS_J1, List.of()), attach(1)),
                        List.of(NodeState.running)),
                Arguments.of(
                        "attached: silent for 60 s -> lost, then it leaves (deleted)",
                        List.of(attach(0), heartbeat(1), tick(61), at(62, (b, now) -> b.left(N, "lost"))),
                        List.of(NodeState.idle, NodeState.lost, NodeState.deleted)),
                Arguments.of(
                        "attached: an agent that stops is lost at once",
                        List.of(attach(0), heartbeat(1), status(2, Kind.STOPPING, List.of(), List.of())),
                        List.of(NodeState.idle, NodeState.lost)),
                Arguments.of(
                        "attached: a stale status (older than node-lost-after) does not join",
                        List.of(
                                attach(0),
                                at(
                                        100,
                                        (b, now) -> b.agentStatus(
                                                new NodeAgentStatus(
                                                        Kind.HEARTBEAT,
                                                        C,
                                                        N,
                                                        "agent-1",
                                                        "10.0.0.4",
                                                        29500,
                                                        4,
                                                        16_000L,
                                                        0,
                                                        "0.1.0",
                                                        List.of(),
                                                        List.of(),
                                                        T0.plusSeconds(30)),
                                                now))),
                        List.of()),
                Arguments.of(
                        "a node stopped on purpose (an instance) is lost at once, before its agent goes",
                        List.of(
                                attach(0),
                                status(1, Kind.HEARTBEAT, RUNS_J1, List.of()),
                                at(2, (b, now) -> b.stopping(N, "its compute instance is being stopped")),
                                status(3, Kind.HEARTBEAT, RUNS_J1, List.of())),
                        List.of(NodeState.running, NodeState.lost)),
                Arguments.of(
                        "an instance stopped by its name whose node is named as its VM (azure-vmss) is lost at once",
                        List.of(
                                attach(0),
                                status(1, Kind.HEARTBEAT, RUNS_J1, List.of()),
                                at(2, (b, now) -> b.stopping(C, "its compute instance is being stopped"))),
                        List.of(NodeState.running, NodeState.lost)),
                Arguments.of(
                        "not attached: an agent speaking with a cluster's name does not make a node",
                        List.of(heartbeat(0), tick(10)),
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void publishesTheseStates(String name, List<Step> steps, List<NodeState> expected) {
        NodeBook book = new NodeBook(LOST_AFTER);
        List<NodeBook.Change> changes = new ArrayList<>();
        for (Step s : steps) {
            changes.addAll(s.event().apply(book, T0.plusSeconds(s.seconds())));
        }
        assertEquals(expected, changes.stream().map(NodeBook.Change::state).toList(), changes.toString());
        for (int i = 1; i < changes.size(); i++) {
            assertEquals(
                    changes.get(i - 1).state(), changes.get(i).previous(), "previous is what was published before");
        }
    }

    @Test
    void idleAndRunningCarryTheAgentsAddressAndTheJob() {
        NodeBook book = new NodeBook(LOST_AFTER);
        List<NodeBook.Change> changes = new ArrayList<>();
        for (Step s : List.of(requested(0), listed(0, CloudNodeStatus.READY), heartbeat(1), assigned(2, "j1", 1))) {
            changes.addAll(s.event().apply(book, T0.plusSeconds(s.seconds())));
        }
        NodeBook.Change idle = changes.get(1);
        assertEquals("10.0.0.4", idle.address());
        assertEquals(29500, idle.port());
        NodeBook.Change running = changes.get(2);
        assertEquals(NodeState.running, running.state());
        assertEquals("j1", running.jobId());
        assertEquals(NodeState.running, book.view().get(N).state());
    }

    @Test
    void onlyAnIdleNodeWithNoJobIsRemovableAndARemovedNodeStaysGone() {
        NodeBook book = new NodeBook(LOST_AFTER);
        requested(0).event().apply(book, T0);
        assertFalse(book.removable(N), "preparing");
        heartbeat(1).event().apply(book, T0.plusSeconds(1));
        assertTrue(book.removable(N));
        assigned(2, "j1", 1).event().apply(book, T0.plusSeconds(2));
        assertFalse(book.removable(N));
        assertEquals("busy with job j1", book.whyNotRemovable(N));
        status(3, Kind.HEARTBEAT, List.of(), List.of("j1#1")).event().apply(book, T0.plusSeconds(3));
        assertTrue(book.removable(N));
        List<NodeBook.Change> removed = book.removed(N, "scale-down");
        assertEquals(
                List.of(NodeState.leaving, NodeState.deleted),
                removed.stream().map(NodeBook.Change::state).toList());
        assertEquals(List.of(), heartbeat(4).event().apply(book, T0.plusSeconds(4)), "a late status of a removed node");
        assertEquals(
                List.of(),
                listed(5, CloudNodeStatus.READY).event().apply(book, T0.plusSeconds(5)),
                "not adopted again");
        assertEquals("unknown node", book.whyNotRemovable(N));
    }

    @Test
    void aMachineThatLeftItsAttachedPoolJoinsAgainWhenItsAgentSpeaks() {
        NodeBook book = new NodeBook(LOST_AFTER);
        attach(0).event().apply(book, T0);
        heartbeat(1).event().apply(book, T0.plusSeconds(1));
        book.tick(T0.plusSeconds(61));
        book.left(N, "lost");
        assertTrue(book.view().isEmpty(), "gone from the view");
        List<NodeBook.Change> back = heartbeat(90).event().apply(book, T0.plusSeconds(90));
        assertEquals(
                List.of(NodeState.idle),
                back.stream().map(NodeBook.Change::state).toList());
        assertTrue(
                back.get(0).reason().startsWith("joined the attached pool"),
                back.get(0).reason());
    }

    @Test
    void aLostNodeGoesStraightToDeletedAndNamesItsJob() {
        NodeBook book = new NodeBook(LOST_AFTER);
        requested(0).event().apply(book, T0);
        status(1, Kind.HEARTBEAT, RUNS_J1, List.of()).event().apply(book, T0.plusSeconds(1));
        List<NodeBook.Change> lost = book.tick(T0.plusSeconds(61));
        assertEquals(NodeState.lost, lost.get(0).state());
        assertEquals("j1", lost.get(0).jobId(), "the scheduler requeues this job");
        assertEquals("no status from its agent for 60 s", lost.get(0).reason());
        assertEquals(List.of(N), book.inState(C, NodeState.lost));
        assertEquals(
                List.of(NodeState.deleted),
                book.removed(N, "lost").stream().map(NodeBook.Change::state).toList());
    }
}
