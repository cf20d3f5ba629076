package dev.ebbtide.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.core.scaling.ScalingSettings;
import java.io.BufferedReader;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The quota, gang admission and Spot parts of the replay, on small traces worked out by hand (fixed-idle, T = 120 s,
 * boot 120 s; clusters that share a quota are replayed together).
 */
class CapacityModelTest {
    private static final Capacity BASE = Capacity.NONE;

    private record Run(SimulationResult result, CapacityResult capacity) {}

    private static Run run(List<Trace.Job> jobs, Capacity capacity) {
        Simulation sim = SimulatorMain.simulation(
                        "fixed-idle", new ScalingSettings(0, Integer.MAX_VALUE, Duration.ofSeconds(120)), 120)
                .withCapacity(capacity);
        SimulationResult r = sim.run(new Trace("t.csv", jobs));
        return new Run(r, sim.capacityResult());
    }

    /**
     * Quota 4. Cluster b runs a 1-node job for 10 h from t = 0 (its node is ready at 120 s). A 4-node gang arrives on
     * cluster a at 10 s: 3 nodes fit. Partial admission boots those 3 (ready at 130 s) and holds them idle until b's
     * node is gone (its job ends at 36,120 s, the node is removed 120 s later) and a's quota re-look (every 60 s from
     * 10 s: 36,250 s) gets the 4th, ready at 36,370 s: 3 × 36,240 s = 30.2 node-h held. All-or-nothing asks for none of
     * them until all 4 fit: nothing is held, and the gang starts at the same instant.
     */
    @Test
    void aPartlyAdmittedGangHoldsItsNodesIdleAndAnAtomicOneHoldsNone() {
        List<Trace.Job> jobs =
                List.of(new Trace.Job("long", 0, 36_000, 1, "b"), new Trace.Job("gang", 10, 100, 4, "a"));

        Run partial = run(jobs, BASE.withQuota(4, false));
        Run atomic = run(jobs, BASE.withQuota(4, true));

        assertEquals(3 * 36_240 / 3600.0, partial.capacity().heldIdleNodeHours(), 1e-9);
        assertEquals(0, atomic.capacity().heldIdleNodeHours(), 1e-9);
        assertEquals(2, partial.result().startedJobs());
        assertEquals(2, atomic.result().startedJobs());
        assertEquals(partial.result().maxWaitS(), atomic.result().maxWaitS(), "the gang starts at 36,370 s either way");
        assertEquals(36_360, atomic.result().maxWaitS());
        assertEquals(
                partial.result().nodeHours() - atomic.result().nodeHours(),
                3 * 36_240 / 3600.0,
                1e-9,
                "3 nodes billed from 10 s to 36,250 s, when atomic admission asks for all 4");
    }

    /**
     * Quota 6. Cluster b runs a 3-node job (1,000 s) from t = 0; cluster a's 4-node gang arrives at 1 s and gets the 3
     * nodes left; b's own 4-node gang arrives at 2 s and gets none. When b's job ends its 3 nodes are held for b's
     * gang: a holds 3, b holds 3, each waits for 1 node that never comes. With all-or-nothing a's gang gets nothing at
     * 1 s, b's gang gets its 4th node when its job ends, and then a's gang runs.
     */
    @Test
    void partialGangsCanHoldTheQuotaForEachOtherForeverAndAtomicGangsCannot() {
        List<Trace.Job> jobs = List.of(
                new Trace.Job("b-running", 0, 1000, 3, "b"),
                new Trace.Job("a-gang", 1, 100, 4, "a"),
                new Trace.Job("b-gang", 2, 100, 4, "b"));

        Run partial = run(jobs, BASE.withQuota(6, false));
        Run atomic = run(jobs, BASE.withQuota(6, true));

        assertEquals(2, partial.capacity().stalledJobs());
        assertEquals(6, partial.capacity().stalledNodes());
        assertEquals(1, partial.result().startedJobs());
        assertEquals(0, atomic.capacity().stalledJobs());
        assertEquals(3, atomic.result().startedJobs());
    }

    /**
     * Quota 4. b runs 1 node for 10 h; a runs a 2-node job (100 s) and queues a 4-node gang at 1 s that the quota
     * refuses. The pair starts at 120 s and the gang becomes the head, refused at once; when the pair ends (220 s) its 2
     * nodes are held for the gang until 600 s after that refusal ({@code max_gang_provision_time}, 720 s), when atomic
     * admission gives them back: 2 × 500 s. Partial admission keeps them (and the 1 node it got) for the whole 10 h.
     */
    @Test
    void atomicGangsGiveBackTheNodesHeldForABlockedHeadAfterTheDeadline() {
        List<Trace.Job> jobs = List.of(
                new Trace.Job("long", 0, 36_000, 1, "b"),
                new Trace.Job("pair", 0, 100, 2, "a"),
                new Trace.Job("gang", 1, 100, 4, "a"));

        Run partial = run(jobs, BASE.withQuota(4, false));
        Run atomic = run(jobs, BASE.withQuota(4, true));

        assertTrue(atomic.capacity().gangReleases() >= 1, "released " + atomic.capacity());
        assertEquals(0, partial.capacity().gangReleases());
        assertEquals(2 * 500 / 3600.0, atomic.capacity().heldIdleNodeHours(), 1e-9);
        assertTrue(partial.capacity().heldIdleNodeHours() > 29, "3 nodes for ~10 h: " + partial.capacity());
        assertEquals(3, atomic.result().startedJobs());
    }

    @Test
    void spotWithoutEvictionsCostsItsPriceRatioOfTheSameNodeHours() {
        List<Trace.Job> jobs = List.of(new Trace.Job("j", 0, 3600, 2, "a"));
        Run dedicated = run(jobs, BASE);
        Run spot = run(jobs, BASE.withSpot(0, 0.25, 0));
        assertEquals(dedicated.result().nodeHours(), spot.result().nodeHours(), 1e-9);
        assertEquals(dedicated.result().nodeHours() * 0.25, spot.capacity().costNodeHours(), 1e-9);
        assertEquals(dedicated.result().nodeHours(), dedicated.capacity().costNodeHours(), 1e-9);
        assertEquals(0, spot.capacity().evictions());
    }

    /**
     * One 10 h job on 2 Spot nodes, 0.5 evictions per node-hour: it is evicted and requeued again and again; with a
     * checkpoint every hour each eviction loses less than an hour of its 2 nodes' work; the nodes are billed for the
     * work done plus the work lost (and boots and idle time).
     */
    @Test
    void anEvictedJobIsRequeuedAndLosesOnlyTheWorkSinceItsLastCheckpoint() {
        Capacity spot = new Capacity(-1, true, true, 0.5, 0.3, 0, 100, 7, 600);
        List<Trace.Job> checkpointing = List.of(new Trace.Job("j", 0, 36_000, 2, "a", 3600));

        Run r = run(checkpointing, spot);

        assertTrue(r.capacity().requeues() >= 1, r.capacity().toString());
        assertEquals(0, r.capacity().failedJobs());
        assertTrue(r.capacity().evictions() >= r.capacity().requeues());
        assertTrue(
                r.capacity().lostNodeHours() < 2.0 * r.capacity().requeues(),
                "under an hour of 2 nodes per eviction: " + r.capacity());
        assertTrue(r.result().nodeHours() >= 20 + r.capacity().lostNodeHours() - 1e-9, r.toString());
        Run again = run(checkpointing, spot);
        assertEquals(r.result().withoutTiming(), again.result().withoutTiming(), "same seed, same replay");
        assertEquals(r.capacity(), again.capacity(), "same seed, same evictions");
        assertNotEquals(
                r.capacity().evictions() + "/" + r.capacity().lostNodeHours(),
                run(checkpointing, new Capacity(-1, true, true, 0.5, 0.3, 0, 100, 8, 600))
                                .capacity()
                                .evictions()
                        + "/"
                        + run(checkpointing, new Capacity(-1, true, true, 0.5, 0.3, 0, 100, 8, 600))
                                .capacity()
                                .lostNodeHours(),
                "another seed, other evictions");
    }

    @Test
    void aJobEvictedOnItsLastAttemptFails() {
        // 100 evictions per node-hour: a 10 h job without checkpoints never finishes; the 3rd eviction ends it
        Run r = run(
                List.of(new Trace.Job("j", 0, 36_000, 1, "a")), new Capacity(-1, true, true, 100, 0.3, 0, 3, 1, 600));
        assertEquals(1, r.capacity().failedJobs());
        assertEquals(2, r.capacity().requeues());
        assertEquals(1, r.result().startedJobs());
    }

    @Test
    void theCheckpointColumnIsOptional() throws Exception {
        Trace t = Trace.read(
                "c.csv",
                new BufferedReader(new StringReader(
                        "job_id,submit_s,duration_s,nodes,queue,checkpoint_s\na,0,10,1,q,600\nb,1,10,1,q,\n")));
        assertEquals(600, t.jobs().get(0).checkpointS());
        assertEquals(0, t.jobs().get(1).checkpointS());
    }
}
