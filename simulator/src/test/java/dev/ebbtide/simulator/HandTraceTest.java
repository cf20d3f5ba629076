package dev.ebbtide.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.core.scaling.Policies;
import dev.ebbtide.core.scaling.ScalingSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code hand-trace.csv} replayed with fixed-idle, idle time T = 60 s, boot 120 s, every figure worked out by hand.
 *
 * <pre>
 * queue q1                                                  nodes (request -> removal)
 *   t=0    a arrives (1 node): none idle, request n0 (ready 120)         n0 requested
 *   t=10   b arrives: demand 2, 1 preparing, request n1 (ready 130)      n1 requested
 *   t=120  n0 ready: a starts (wait 120), ends 220
 *   t=125  e arrives: queue [b, e], demand 2, 1 preparing: request n2 (ready 245)
 *   t=130  n1 ready: b (head) starts (wait 120), ends 180
 *   t=180  b ends: n1 goes to the head e at once (wait 55), ends 185
 *   t=200  d arrives: n1 (idle since 185) reused (wait 0), ends 210
 *   t=220  a ends: n0 idle
 *   t=245  n2 ready: idle
 *   t=270  n1 idle for 60 s: removed                                    n1: 10 -> 270 = 260
 *   t=280  n0 idle for 60 s: removed                                    n0: 0 -> 280 = 280
 *   t=290  c arrives (2 nodes): n2 idle, held for c; request n3 (ready 410)
 *   t=410  n3 ready: c starts on n3, n2 (wait 120), ends 430
 *   t=490  n2, n3 idle for 60 s: removed                                n2: 125 -> 490 = 365, n3: 290 -> 490 = 200
 * queue q2 (independent)
 *   t=0    x arrives: request m0 (ready 120); x starts at 120 (wait 120), ends 150; m0 removed at 210  m0: 210
 * cost   = 260 + 280 + 365 + 200 + 210 = 1315 node-s; oracle = 100 + 50 + 5 + 10 + 2*20 + 30 = 235 node-s
 * waits  = 120, 120, 55, 0, 120, 120 (sum 535): mean 89.1666..., sorted 0 55 120 120 120 120
 * scale-ups (decisions adding nodes): q1 at 0, 10, 125, 290 + q2 at 0 = 5; nodes added 5
 * scale-downs (decisions removing nodes): q1 at 270, 280, 490 + q2 at 210 = 4; nodes removed 5
 * </pre>
 */
class HandTraceTest {

    static Trace handTrace() throws Exception {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                HandTraceTest.class.getResourceAsStream("/hand-trace.csv"), StandardCharsets.UTF_8))) {
            return Trace.read("hand-trace.csv", r);
        }
    }

    @Test
    void fixedIdleCostAndWaitsMatchTheHandComputation() throws Exception {
        SimulationResult r = new Simulation(
                        Policies.create("fixed-idle"),
                        ScalingSettings.scaleToZero(Duration.ofSeconds(60)),
                        Duration.ofSeconds(120))
                .run(handTrace());

        assertEquals(6, r.jobs());
        assertEquals(6, r.startedJobs());
        assertEquals(1315 / 3600.0, r.nodeHours(), 1e-12);
        assertEquals(235 / 3600.0, r.oracleNodeHours(), 1e-12);
        assertEquals(1315.0 / 235.0, r.costRatio(), 1e-12);
        assertEquals(535.0 / 6, r.meanWaitS(), 1e-12);
        assertEquals(120.0, r.p50WaitS());
        assertEquals(120.0, r.p95WaitS());
        assertEquals(120.0, r.p99WaitS());
        assertEquals(120.0, r.maxWaitS());
        assertEquals(5, r.scaleUps());
        assertEquals(4, r.scaleDowns());
        assertEquals(5, r.nodesAdded());
        assertEquals(5, r.nodesRemoved());
    }

    /** T = 0, boot 0: every job starts at submission and nodes live exactly as long as their jobs. */
    @Test
    void zeroBootAndZeroIdleCostsTheOracle() throws Exception {
        SimulationResult r = new Simulation(
                        Policies.create("fixed-idle"), ScalingSettings.scaleToZero(Duration.ZERO), Duration.ZERO)
                .run(handTrace());

        assertEquals(1.0, r.costRatio(), 1e-12);
        assertEquals(0.0, r.meanWaitS());
    }

    /**
     * max 1 node per cluster: c (2 nodes) can never start; q1's jobs run one after another on one node. With T = 60,
     * boot 120: a 120..220; b waits for a: 220..270; e 270..275; d 275..285; node idle from 285, removed 345.
     */
    @Test
    void maxNodesSerializesJobsAndReportsJobsThatCanNeverStart() throws Exception {
        SimulationResult r = new Simulation(
                        Policies.create("fixed-idle"),
                        new ScalingSettings(0, 1, Duration.ofSeconds(60)),
                        Duration.ofSeconds(120))
                .run(handTrace());

        assertEquals(5, r.startedJobs());
        // waits: a 120, b 210, e 145, d 75, x 120
        assertEquals((120 + 210 + 145 + 75 + 120) / 5.0, r.meanWaitS(), 1e-12);
        // q1 node: 0 -> 345; q2 node: 0 -> 210
        assertEquals((345 + 210) / 3600.0, r.nodeHours(), 1e-12);
    }

    @Test
    void everyAdaptivePolicyStartsEveryJob() throws Exception {
        for (String name : Policies.names()) {
            SimulationResult r = new Simulation(
                            Policies.create(name),
                            ScalingSettings.scaleToZero(Duration.ofSeconds(120)),
                            Duration.ofSeconds(120))
                    .run(handTrace());
            assertEquals(6, r.startedJobs(), name);
        }
    }
}
