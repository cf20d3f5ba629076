package dev.ebbtide.scheduler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.core.placement.NodeSlot;
import dev.ebbtide.core.placement.SlotState;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.NodeEntity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How stored nodes and their jobs' {@code limits.timeout} become the planner's slots with expected free times. */
class NodeSlotsTest {
    private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");
    private static final Instant SINCE = NOW.minusSeconds(100);
    private static final Duration BOOT = Duration.ofSeconds(150);

    /** The job {@code j-…} each row's node may carry; its timeout and start are the row's. */
    static Stream<Arguments> rows() {
        return Stream.of(
                row(
                        "idle node without a job is free since it became idle",
                        NodeState.idle,
                        false,
                        null,
                        null,
                        SlotState.FREE,
                        null),
                row(
                        "running job with a timeout frees its node at start + timeout",
                        NodeState.running,
                        true,
                        3600L,
                        NOW.minusSeconds(600),
                        SlotState.BUSY,
                        NOW.plusSeconds(3000)),
                row(
                        "running job past its timeout frees it at start + timeout (the planner reads a past end as now)",
                        NodeState.running,
                        true,
                        60L,
                        NOW.minusSeconds(600),
                        SlotState.BUSY,
                        NOW.minusSeconds(540)),
                row(
                        "placed job not started yet counts its timeout from now",
                        NodeState.idle,
                        true,
                        600L,
                        null,
                        SlotState.BUSY,
                        NOW.plusSeconds(600)),
                row(
                        "job without a timeout: end unknown, the node counts as staying busy",
                        NodeState.running,
                        true,
                        null,
                        NOW.minusSeconds(600),
                        SlotState.BUSY,
                        null),
                row(
                        "running node with no job the scheduler knows: end unknown",
                        NodeState.running,
                        false,
                        null,
                        null,
                        SlotState.BUSY,
                        null),
                row(
                        "preparing node is ready one boot time after it started preparing",
                        NodeState.preparing,
                        false,
                        null,
                        null,
                        SlotState.BOOTING,
                        SINCE.plus(BOOT)),
                row(
                        "preparing node already given a job is busy with that job's end",
                        NodeState.preparing,
                        true,
                        1200L,
                        null,
                        SlotState.BUSY,
                        NOW.plusSeconds(1200)),
                row("leaving node is left out", NodeState.leaving, false, null, null, null, null),
                row("preempted node is left out", NodeState.preempted, false, null, null, null, null),
                row("unusable node is left out", NodeState.unusable, false, null, null, null, null),
                row("lost node is left out", NodeState.lost, false, null, null, null, null));
    }

    private static Arguments row(
            String name,
            NodeState state,
            boolean hasJob,
            Long timeoutSeconds,
            Instant jobStartedAt,
            SlotState expectedState,
            Instant expectedFreeAt) {
        return Arguments.of(name, state, hasJob, timeoutSeconds, jobStartedAt, expectedState, expectedFreeAt);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void mapsANodeToItsSlot(
            String name,
            NodeState state,
            boolean hasJob,
            Long timeoutSeconds,
            Instant jobStartedAt,
            SlotState expectedState,
            Instant expectedFreeAt) {
        NodeEntity node = new NodeEntity();
        node.name = "n-0";
        node.cluster = "c";
        node.state = state;
        node.since = SINCE;
        List<JobEntity> jobs = List.of();
        if (hasJob) {
            node.jobId = "j-1";
            JobEntity job = new JobEntity();
            job.id = "j-1";
            job.specJson = EventJson.write(new JobSpec("true", 1, Map.of(), null, null, null, timeoutSeconds));
            job.startedAt = jobStartedAt;
            jobs = List.of(job);
        }

        List<NodeSlot> slots = NodeSlots.of(List.of(node), NodeSlots.expectedEnds(jobs, NOW), BOOT);

        if (expectedState == null) {
            assertEquals(List.of(), slots);
            return;
        }
        assertEquals(List.of(new NodeSlot("n-0", expectedState, SINCE, expectedFreeAt)), slots);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void theJobIdsAreThoseOfNodesWithAJob(
            String name,
            NodeState state,
            boolean hasJob,
            Long timeoutSeconds,
            Instant jobStartedAt,
            SlotState expectedState,
            Instant expectedFreeAt) {
        NodeEntity node = new NodeEntity();
        node.name = "n-0";
        node.state = state;
        node.jobId = hasJob ? "j-1" : null;
        assertEquals(hasJob ? List.of("j-1") : List.of(), NodeSlots.jobIds(List.of(node, node)));
        assertEquals(hasJob, NodeSlots.anyJob(List.of(node)));
    }

    @org.junit.jupiter.api.Test
    void aJobWithoutASpecHasNoKnownEnd() {
        JobEntity job = new JobEntity();
        job.id = "j-1";
        assertNull(NodeSlots.expectedEnd(job, NOW));
    }
}
