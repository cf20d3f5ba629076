package dev.ebbtide.core.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ebbtide.core.lifecycle.JobEvent.CancelAsked;
import dev.ebbtide.core.lifecycle.JobEvent.NodeLost;
import dev.ebbtide.core.lifecycle.JobEvent.Placed;
import dev.ebbtide.core.lifecycle.JobEvent.RankExited;
import dev.ebbtide.core.lifecycle.JobEvent.RankStarted;
import dev.ebbtide.core.lifecycle.JobEvent.Rejected;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobLifecycleTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant EARLIER = Instant.parse("2026-12-01T09:59:00Z");
    private static final JobLifecycle LIFECYCLE = new JobLifecycle(5);
    private static final List<String> TWO = List.of("n-0", "n-1");

    /** A job placed on {@link #TWO} at {@code attempt}, in {@code phase}, no rank exited yet. */
    private static JobSnapshot on(JobPhase phase, int attempt) {
        return new JobSnapshot("j", phase, null, 2, attempt, TWO, Set.of(), null, null, null, null, 2);
    }

    private static JobSnapshot withExited(JobSnapshot j, Set<Integer> ranks, Integer code) {
        return new JobSnapshot(
                j.jobId(),
                j.phase(),
                j.reason(),
                j.instanceCount(),
                j.attempt(),
                j.nodes(),
                ranks,
                code,
                j.outputLocation(),
                j.startedAt(),
                j.endedAt(),
                j.nodesHolding());
    }

    private static JobSnapshot holding(JobSnapshot j, int nodes) {
        return new JobSnapshot(
                j.jobId(),
                j.phase(),
                "canceled by a user",
                j.instanceCount(),
                j.attempt(),
                j.nodes(),
                j.exitedRanks(),
                j.exitCode(),
                j.outputLocation(),
                j.startedAt(),
                j.endedAt(),
                nodes);
    }

    private static RankExited exit(int rank, Integer attempt, Integer code) {
        return new RankExited("n-" + rank, rank, attempt, code, null, "/w/j/node-" + rank + ".log", NOW);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // name, job, event, phase after, reason after, attempt after, stops (nodes) or null
                Arguments.of(
                        "placement starts attempt 1",
                        JobSnapshot.queued("j", 2),
                        new Placed(TWO),
                        JobPhase.Preparing,
                        null,
                        1,
                        null),
                Arguments.of(
                        "a requeued job is placed as attempt 3",
                        new JobSnapshot(
                                "j", JobPhase.Queued, "x", 2, 2, List.of(), Set.of(), null, null, null, null, 0),
                        new Placed(TWO),
                        JobPhase.Preparing,
                        null,
                        3,
                        null),
                Arguments.of(
                        "placement of a job not queued changes nothing",
                        on(JobPhase.Running, 1),
                        new Placed(TWO),
                        JobPhase.Running,
                        null,
                        1,
                        null),
                Arguments.of(
                        "first start makes it Running",
                        on(JobPhase.Preparing, 1),
                        new RankStarted(0, 1, EARLIER),
                        JobPhase.Running,
                        null,
                        1,
                        null),
                Arguments.of(
                        "a start of an old attempt is ignored",
                        on(JobPhase.Preparing, 2),
                        new RankStarted(0, 1, EARLIER),
                        JobPhase.Preparing,
                        null,
                        2,
                        null),
                Arguments.of(
                        "one rank of two exiting keeps it Running",
                        on(JobPhase.Running, 1),
                        exit(0, 1, 0),
                        JobPhase.Running,
                        null,
                        1,
                        null),
                Arguments.of(
                        "the last rank exiting 0 completes it",
                        withExited(on(JobPhase.Running, 1), Set.of(0), 0),
                        exit(1, 1, 0),
                        JobPhase.Completed,
                        null,
                        1,
                        null),
                Arguments.of(
                        "a non-zero exit fails it naming the node",
                        withExited(on(JobPhase.Running, 1), Set.of(0), 0),
                        exit(1, 1, 3),
                        JobPhase.Failed,
                        "node n-1 exited with code 3",
                        1,
                        null),
                Arguments.of(
                        "an exit without a code fails it with -1",
                        withExited(on(JobPhase.Running, 1), Set.of(1), 0),
                        exit(0, null, null),
                        JobPhase.Failed,
                        "node n-0 exited with code -1",
                        1,
                        null),
                Arguments.of(
                        "a redelivered exit counts once",
                        withExited(on(JobPhase.Running, 1), Set.of(0), 0),
                        exit(0, 1, 0),
                        JobPhase.Running,
                        null,
                        1,
                        null),
                Arguments.of(
                        "an exit of an old attempt is ignored",
                        on(JobPhase.Running, 2),
                        exit(0, 1, 0),
                        JobPhase.Running,
                        null,
                        2,
                        null),
                Arguments.of(
                        "a late exit while requeued is ignored",
                        new JobSnapshot(
                                "j", JobPhase.Queued, "q", 2, 1, List.of(), Set.of(), null, null, null, null, 0),
                        exit(1, 1, 143),
                        JobPhase.Queued,
                        "q",
                        1,
                        null),
                Arguments.of(
                        "a lost node requeues a running job and stops the others",
                        on(JobPhase.Running, 1),
                        new NodeLost("n-0", "lost", 1),
                        JobPhase.Queued,
                        "node n-0 was lost while running the job; requeued (attempt 1 of 5)",
                        1,
                        List.of("n-1")),
                Arguments.of(
                        "a preempted node before the start says so",
                        on(JobPhase.Preparing, 2),
                        new NodeLost("n-1", "preempted", null),
                        JobPhase.Queued,
                        "node n-1 was preempted before the job started; requeued (attempt 2 of 5)",
                        2,
                        List.of("n-0")),
                Arguments.of(
                        "a lost node at the last attempt fails the job",
                        on(JobPhase.Running, 5),
                        new NodeLost("n-0", "lost", 5),
                        JobPhase.Failed,
                        "node n-0 was lost while running the job; gave up after 5 attempts",
                        5,
                        List.of("n-1")),
                Arguments.of(
                        "a lost node of an old attempt is ignored",
                        on(JobPhase.Running, 3),
                        new NodeLost("n-0", "lost", 2),
                        JobPhase.Running,
                        null,
                        3,
                        null),
                Arguments.of(
                        "a second lost node of a requeued job is ignored",
                        new JobSnapshot(
                                "j", JobPhase.Queued, "q", 2, 1, List.of(), Set.of(), null, null, null, null, 0),
                        new NodeLost("n-1", "lost", 1),
                        JobPhase.Queued,
                        "q",
                        1,
                        null),
                Arguments.of(
                        "a rejection requeues and stops the ranks that accepted",
                        on(JobPhase.Preparing, 1),
                        new Rejected("n-1", 1, 1, "busy with job k"),
                        JobPhase.Queued,
                        "node n-1 rejected the assignment (busy with job k); requeued (attempt 1 of 5)",
                        1,
                        List.of("n-0")),
                Arguments.of(
                        "a rejection while running requeues too",
                        on(JobPhase.Running, 2),
                        new Rejected("n-0", 0, 2, "bad environment"),
                        JobPhase.Queued,
                        "node n-0 rejected the assignment (bad environment); requeued (attempt 2 of 5)",
                        2,
                        List.of("n-1")),
                Arguments.of(
                        "a rejection at the last attempt fails the job",
                        on(JobPhase.Preparing, 5),
                        new Rejected("n-0", 0, 5, "busy"),
                        JobPhase.Failed,
                        "node n-0 rejected the assignment (busy); gave up after 5 attempts",
                        5,
                        List.of("n-1")),
                Arguments.of(
                        "a rejection of an old attempt is ignored",
                        on(JobPhase.Preparing, 2),
                        new Rejected("n-0", 0, 1, "busy"),
                        JobPhase.Preparing,
                        null,
                        2,
                        null),
                Arguments.of(
                        "a preempted running job stops every node and is requeued, not failed",
                        on(JobPhase.Running, 5),
                        new JobEvent.Preempted("preempted: reclaimed by team nlp"),
                        JobPhase.Queued,
                        "preempted: reclaimed by team nlp; requeued (attempt 5 stopped)",
                        5,
                        TWO),
                Arguments.of(
                        "preempting a queued job changes nothing",
                        JobSnapshot.queued("j", 2),
                        new JobEvent.Preempted("preempted: reclaimed by team nlp"),
                        JobPhase.Queued,
                        null,
                        0,
                        null),
                Arguments.of(
                        "canceling a queued job ends it",
                        JobSnapshot.queued("j", 2),
                        new CancelAsked("canceled by a user"),
                        JobPhase.Canceled,
                        "canceled by a user",
                        0,
                        null),
                Arguments.of(
                        "canceling a running job stops every node",
                        on(JobPhase.Running, 1),
                        new CancelAsked("canceled by a user"),
                        JobPhase.CancelRequested,
                        "canceled by a user",
                        1,
                        TWO),
                Arguments.of(
                        "canceling twice sends no second stop",
                        holding(on(JobPhase.CancelRequested, 1), 2),
                        new CancelAsked("again"),
                        JobPhase.CancelRequested,
                        "canceled by a user",
                        1,
                        null),
                Arguments.of(
                        "an exit while canceling with a node left waits",
                        holding(on(JobPhase.CancelRequested, 1), 1),
                        exit(0, 1, 143),
                        JobPhase.CancelRequested,
                        "canceled by a user",
                        1,
                        null),
                Arguments.of(
                        "the last exit while canceling cancels",
                        holding(on(JobPhase.CancelRequested, 1), 0),
                        exit(1, 1, 143),
                        JobPhase.Canceled,
                        "canceled by a user",
                        1,
                        null),
                Arguments.of(
                        "a lost node while canceling cancels when none is left",
                        holding(on(JobPhase.CancelRequested, 1), 0),
                        new NodeLost("n-0", "lost", 1),
                        JobPhase.Canceled,
                        "canceled by a user",
                        1,
                        null),
                Arguments.of(
                        "a rejection while canceling cancels when none is left",
                        holding(on(JobPhase.CancelRequested, 1), 0),
                        new Rejected("n-0", 0, 1, "stopped before it started"),
                        JobPhase.Canceled,
                        "canceled by a user",
                        1,
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(
            String name,
            JobSnapshot job,
            JobEvent event,
            JobPhase phase,
            String reason,
            int attempt,
            List<String> stopped) {
        Outcome out = LIFECYCLE.apply(job, event, NOW);
        assertEquals(phase, out.job().phase(), name);
        assertEquals(reason, out.job().reason(), name);
        assertEquals(attempt, out.job().attempt(), name);
        if (stopped == null) {
            assertEquals(List.of(), out.stops(), name);
        } else {
            assertEquals(
                    List.of(new Outcome.Stop(
                            stopped, attempt, out.stops().get(0).reason())),
                    out.stops(),
                    name);
        }
        if (phase != job.phase()) {
            assertEquals(List.of(new Outcome.Transition(job.phase(), phase, reason, NOW)), out.transitions(), name);
        } else {
            assertEquals(List.of(), out.transitions(), name);
        }
        if (phase.isTerminal() && !job.phase().isTerminal() && !(event instanceof RankExited)) {
            assertEquals(NOW, out.job().endedAt(), name);
        }
    }

    @Test
    void aJobRejectedAgainAndAgainFailsAfterMaxAttemptsInsteadOfLooping() {
        JobLifecycle three = new JobLifecycle(3);
        JobSnapshot job = JobSnapshot.queued("j", 1);
        int placements = 0;
        while (!job.phase().isTerminal()) {
            job = three.apply(job, new Placed(List.of("n-0")), NOW).job();
            placements++;
            job = three.apply(job, new Rejected("n-0", 0, job.attempt(), "busy"), NOW)
                    .job();
            assertEquals(true, placements <= 3, "placed more than max attempts");
        }
        assertEquals(3, placements);
        assertEquals(JobPhase.Failed, job.phase());
        assertEquals("node n-0 rejected the assignment (busy); gave up after 3 attempts", job.reason());
    }

    @Test
    void aCompletedJobKeepsTheExitTimeTheOutputFolderAndTheFirstStart() {
        JobSnapshot job = withExited(on(JobPhase.Preparing, 1), Set.of(0), 0);
        Outcome out = LIFECYCLE.apply(job, exit(1, 1, 0), NOW);
        assertEquals(JobPhase.Completed, out.job().phase());
        assertEquals("/w/j", out.job().outputLocation());
        assertEquals(NOW, out.job().startedAt());
        assertEquals(NOW, out.job().endedAt());
        assertEquals(0, out.job().exitCode());
    }

    @Test
    void cancelingAnEndedJobIsRefusedWithASentence() {
        JobSnapshot done =
                new JobSnapshot("j", JobPhase.Completed, null, 1, 1, List.of(), Set.of(0), 0, null, null, NOW, 0);
        Outcome out = LIFECYCLE.apply(done, new CancelAsked("canceled by a user"), NOW);
        assertEquals("job j already ended: Completed", out.refusal());
        assertEquals(done, out.job());
        assertNull(LIFECYCLE
                .apply(on(JobPhase.Running, 1), new CancelAsked("x"), NOW)
                .refusal());
    }

    @Test
    void maxAttemptsBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new JobLifecycle(0));
    }

    @Test
    void parentOfAnOutputPath() {
        assertEquals("/w/j", JobLifecycle.parentOf("/w/j/node-0.log"));
        assertEquals("/", JobLifecycle.parentOf("/node-0.log"));
        assertEquals("node-0.log", JobLifecycle.parentOf("node-0.log"));
    }
}
