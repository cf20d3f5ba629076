package dev.ebbtide.simulator;

import dev.ebbtide.core.scaling.ScalingSettings;
import java.time.Duration;
import java.util.Locale;

/**
 * The figures of one replay.
 *
 * @param trace           trace file name
 * @param policy          policy name
 * @param idleS           the clusters' idle time before scale-down (fixed-idle's T; the adaptive policies' ceiling)
 * @param bootS           node boot time
 * @param maxNodes        max nodes per cluster, or -1 for unlimited
 * @param jobs            jobs in the trace
 * @param startedJobs     jobs that started (all, unless some need more than max nodes)
 * @param nodeHours       billed node-hours
 * @param oracleNodeHours sum of duration x nodes, in hours
 * @param costRatio       nodeHours / oracleNodeHours
 * @param meanWaitS       mean of start - submit over started jobs
 * @param p50WaitS        median wait (nearest rank)
 * @param p95WaitS        95th percentile wait
 * @param p99WaitS        99th percentile wait
 * @param maxWaitS        longest wait
 * @param scaleUps        scale-up actions (decisions that requested at least one node)
 * @param scaleDowns      scale-down actions (decisions that removed at least one node)
 * @param nodesAdded      nodes requested
 * @param nodesRemoved    nodes removed
 * @param replayS         wall-clock seconds of the replay (not of reading the trace)
 */
public record SimulationResult(
        String trace,
        String policy,
        double idleS,
        double bootS,
        long maxNodes,
        int jobs,
        int startedJobs,
        double nodeHours,
        double oracleNodeHours,
        double costRatio,
        double meanWaitS,
        double p50WaitS,
        double p95WaitS,
        double p99WaitS,
        double maxWaitS,
        long scaleUps,
        long scaleDowns,
        long nodesAdded,
        long nodesRemoved,
        double replayS) {

    static SimulationResult of(
            Trace trace,
            String policy,
            ScalingSettings settings,
            Duration boot,
            long[] waitsMs,
            int waitCount,
            double nodeMs,
            long scaleUps,
            long scaleDowns,
            long nodesAdded,
            long nodesRemoved,
            double replayS) {
        long[] sorted = Simulation.sortedCopy(waitsMs, waitCount);
        double sum = 0;
        for (long w : sorted) {
            sum += w;
        }
        double nodeHours = nodeMs / 3_600_000.0;
        double oracle = trace.oracleNodeSeconds() / 3600.0;
        return new SimulationResult(
                trace.name(),
                policy,
                settings.idleTimeBeforeScaleDown().toMillis() / 1000.0,
                boot.toMillis() / 1000.0,
                settings.unlimited() ? -1 : settings.maxNodes(),
                trace.jobs().size(),
                waitCount,
                nodeHours,
                oracle,
                oracle == 0 ? 0 : nodeHours / oracle,
                waitCount == 0 ? 0 : sum / waitCount / 1000.0,
                Simulation.percentile(sorted, 0.50) / 1000.0,
                Simulation.percentile(sorted, 0.95) / 1000.0,
                Simulation.percentile(sorted, 0.99) / 1000.0,
                waitCount == 0 ? 0 : sorted[sorted.length - 1] / 1000.0,
                scaleUps,
                scaleDowns,
                nodesAdded,
                nodesRemoved,
                replayS);
    }

    /** One JSON object on one line. */
    public String toJson() {
        return String.format(
                Locale.ROOT,
                "{\"trace\":\"%s\",\"policy\":\"%s\",\"idleS\":%s,\"bootS\":%s,"
                        + "\"maxNodes\":%d,\"jobs\":%d,\"startedJobs\":%d,\"nodeHours\":%.3f,\"oracleNodeHours\":%.3f,"
                        + "\"costRatio\":%.5f,\"meanWaitS\":%.3f,\"p50WaitS\":%s,\"p95WaitS\":%s,\"p99WaitS\":%s,"
                        + "\"maxWaitS\":%s,\"scaleUps\":%d,\"scaleDowns\":%d,\"nodesAdded\":%d,\"nodesRemoved\":%d,"
                        + "\"replayS\":%.3f}",
                escape(trace),
                escape(policy),
                num(idleS),
                num(bootS),
                maxNodes,
                jobs,
                startedJobs,
                nodeHours,
                oracleNodeHours,
                costRatio,
                meanWaitS,
                num(p50WaitS),
                num(p95WaitS),
                num(p99WaitS),
                num(maxWaitS),
                scaleUps,
                scaleDowns,
                nodesAdded,
                nodesRemoved,
                replayS);
    }

    /** The figures that do not depend on the machine (everything but {@link #replayS()}). */
    public SimulationResult withoutTiming() {
        return new SimulationResult(
                trace,
                policy,
                idleS,
                bootS,
                maxNodes,
                jobs,
                startedJobs,
                nodeHours,
                oracleNodeHours,
                costRatio,
                meanWaitS,
                p50WaitS,
                p95WaitS,
                p99WaitS,
                maxWaitS,
                scaleUps,
                scaleDowns,
                nodesAdded,
                nodesRemoved,
                0);
    }

    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
