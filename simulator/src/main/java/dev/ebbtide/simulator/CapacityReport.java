package dev.ebbtide.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --capacity-report}: the figures issue 18 asks for, from one trace and one policy. Under the core quota
 * ({@code --quota-nodes}): idle node-hours held by gangs that got part of their nodes (partial admission) against
 * all-or-nothing gangs; and the bill of a Spot-first cluster with evictions ({@code --spot-eviction-rate},
 * {@code --spot-price-ratio}; without checkpoints, then with {@code --checkpoint-every}) against dedicated nodes. Prints
 * a table and writes {@code DIR/<trace>-capacity.csv}.
 */
final class CapacityReport {
    static final String HEADER = "scenario,policy,idle_s,quota_nodes,gangs,tier,eviction_rate,price_ratio,checkpoint_s,"
            + "jobs,started_jobs,failed_jobs,node_hours,cost_node_hours,held_idle_node_hours,quota_refusals,evictions,"
            + "requeues,lost_node_hours,gang_releases,stalled_jobs,stalled_nodes,mean_wait_s,p95_wait_s,replay_s";

    private CapacityReport() {}

    record Row(String scenario, Capacity capacity, SimulationResult result, CapacityResult cost) {}

    static List<Row> rows(Trace trace, SimulatorMain.Options o) {
        Capacity base = new Capacity(-1, true, false, 0, 1, 0, o.maxAttempts, o.seed, o.gangDeadlineS);
        List<Row> rows = new ArrayList<>();
        rows.add(row(trace, o, "quota, partial gangs", base.withQuota(o.quotaNodes, false)));
        rows.add(row(trace, o, "quota, atomic gangs", base.withQuota(o.quotaNodes, true)));
        rows.add(row(trace, o, "dedicated", base));
        rows.add(row(trace, o, "spot", base.withSpot(o.evictionRate, o.spotPriceRatio, 0)));
        rows.add(row(trace, o, "spot, checkpoints", base.withSpot(o.evictionRate, o.spotPriceRatio, o.checkpointS)));
        return rows;
    }

    private static Row row(Trace trace, SimulatorMain.Options o, String scenario, Capacity capacity) {
        Simulation sim =
                SimulatorMain.simulation(o.policy, o.settings(o.idleS), o.bootS).withCapacity(capacity);
        SimulationResult r = sim.run(trace);
        return new Row(scenario, capacity, r, sim.capacityResult());
    }

    static void run(Trace trace, SimulatorMain.Options o, PrintStream out) throws IOException {
        List<Row> rows = rows(trace, o);
        Files.createDirectories(o.out);
        Path csv = o.out.resolve(SimulatorMain.baseName(trace.name()) + "-capacity.csv");
        Files.writeString(csv, csv(rows), StandardCharsets.UTF_8);
        out.print(table(trace, rows));
        out.println("wrote " + csv);
    }

    static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Row row : rows) {
            Capacity c = row.capacity();
            SimulationResult r = row.result();
            CapacityResult k = row.cost();
            sb.append(String.join(
                            ",",
                            row.scenario().replace(",", ";"),
                            r.policy(),
                            SimulationResult.num(r.idleS()),
                            Integer.toString(c.quotaNodes()),
                            c.quotaNodes() < 0 ? "" : c.atomicGangs() ? "atomic" : "partial",
                            c.spot() ? "spot" : "dedicated",
                            SimulationResult.num(c.evictionsPerNodeHour()),
                            SimulationResult.num(c.price()),
                            Long.toString(c.checkpointS()),
                            Integer.toString(r.jobs()),
                            Integer.toString(r.startedJobs()),
                            Long.toString(k.failedJobs()),
                            f(r.nodeHours()),
                            f(k.costNodeHours()),
                            f(k.heldIdleNodeHours()),
                            Long.toString(k.quotaRefusals()),
                            Long.toString(k.evictions()),
                            Long.toString(k.requeues()),
                            f(k.lostNodeHours()),
                            Long.toString(k.gangReleases()),
                            Long.toString(k.stalledJobs()),
                            Long.toString(k.stalledNodes()),
                            f(r.meanWaitS()),
                            SimulationResult.num(r.p95WaitS()),
                            String.format(Locale.ROOT, "%.3f", r.replayS())))
                    .append('\n');
        }
        return sb.toString();
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String table(Trace trace, List<Row> rows) {
        SimulationResult first = rows.get(0).result();
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "trace %s: %d jobs (%d multi-node), oracle %.1f node-h; %s, idle %s s, boot %s s%n",
                trace.name(),
                first.jobs(),
                trace.jobs().stream().filter(j -> j.nodes() > 1).count(),
                first.oracleNodeHours(),
                first.policy(),
                SimulationResult.num(first.idleS()),
                SimulationResult.num(first.bootS())));
        sb.append(String.format(
                Locale.ROOT,
                "%-22s %6s %8s %8s %11s %11s %11s %10s %8s %9s %7s %10s%n",
                "scenario",
                "quota",
                "tier",
                "started",
                "node_h",
                "cost_h",
                "held_idle_h",
                "lost_h",
                "evicted",
                "requeued",
                "failed",
                "mean_w_s"));
        for (Row row : rows) {
            Capacity c = row.capacity();
            SimulationResult r = row.result();
            CapacityResult k = row.cost();
            sb.append(String.format(
                    Locale.ROOT,
                    "%-22s %6s %8s %8d %11.1f %11.1f %11.1f %10.1f %8d %9d %7d %10.1f%n",
                    row.scenario(),
                    c.quotaNodes() < 0 ? "-" : Integer.toString(c.quotaNodes()),
                    c.spot() ? "spot" : "dedicated",
                    r.startedJobs(),
                    r.nodeHours(),
                    k.costNodeHours(),
                    k.heldIdleNodeHours(),
                    k.lostNodeHours(),
                    k.evictions(),
                    k.requeues(),
                    k.failedJobs(),
                    r.meanWaitS()));
            if (k.stalledJobs() > 0) {
                sb.append(String.format(
                        Locale.ROOT,
                        "  stalled: %d job(s) never start, %d node(s) held for good (gangs holding the quota for each "
                                + "other); billed until the last change%n",
                        k.stalledJobs(),
                        k.stalledNodes()));
            }
        }
        return sb.toString();
    }
}
