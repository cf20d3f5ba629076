package dev.ebbtide.autoscaler.whatif;

import dev.ebbtide.common.events.PolicySettings;
import dev.ebbtide.core.scaling.Policies;
import dev.ebbtide.core.scaling.ScalingSettings;
import dev.ebbtide.simulator.Simulation;
import dev.ebbtide.simulator.SimulationResult;
import dev.ebbtide.simulator.Trace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;

/**
 * What a cluster's recorded jobs would have cost and waited under its current settings and under proposed ones:
 * both replayed by the simulator through the same core classes as the live service (PlacementPlanner and the
 * policy). Pure: the trace text comes in, the two results go out.
 */
public final class WhatIf {
    /** One side of the comparison. */
    public record Side(
            PolicySettings settings,
            double costRatio,
            double nodeHours,
            double meanWaitS,
            double p50WaitS,
            double p95WaitS,
            double maxWaitS,
            int startedJobs,
            long scaleUps,
            long scaleDowns) {
        static Side of(PolicySettings settings, SimulationResult r) {
            return new Side(
                    settings,
                    r.costRatio(),
                    r.nodeHours(),
                    r.meanWaitS(),
                    r.p50WaitS(),
                    r.p95WaitS(),
                    r.maxWaitS(),
                    r.startedJobs(),
                    r.scaleUps(),
                    r.scaleDowns());
        }
    }

    /** The answer: the window replayed, its jobs, and the two sides. */
    public record Answer(
            String cluster,
            Instant since,
            int jobs,
            double oracleNodeHours,
            Duration nodeBootTime,
            Side current,
            Side proposed,
            String note) {}

    private WhatIf() {}

    /** @throws IllegalArgumentException if the trace cannot be read */
    public static Answer compare(
            String cluster,
            String traceCsv,
            Instant since,
            PolicySettings current,
            PolicySettings proposed,
            Duration boot) {
        Trace trace;
        try {
            trace = Trace.read(cluster, new BufferedReader(new StringReader(traceCsv)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SimulationResult now = replay(trace, current, boot);
        SimulationResult then = replay(trace, proposed, boot);
        String note = trace.jobs().isEmpty()
                ? "no job of " + cluster + " started since " + since
                        + ": nothing to compare; widen the window with ?since="
                : null;
        return new Answer(
                cluster,
                since,
                trace.jobs().size(),
                now.oracleNodeHours(),
                boot,
                Side.of(current, now),
                Side.of(proposed, then),
                note);
    }

    private static SimulationResult replay(Trace trace, PolicySettings s, Duration boot) {
        ScalingSettings settings = new ScalingSettings(
                s.minInstances(), s.maxInstances(), Duration.ofSeconds(s.idleTimeBeforeScaleDown()));
        return new Simulation(Policies.create(s.policy(), boot), settings, boot).run(trace);
    }
}
