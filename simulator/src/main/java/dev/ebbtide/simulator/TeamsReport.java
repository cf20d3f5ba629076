package dev.ebbtide.simulator;

import dev.ebbtide.core.placement.FairShare;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code --teams}: the trace's teams on one shared cluster of {@code --max-nodes} nodes, replayed in intake order
 * (FIFO), in fair order with equal weights, and, with {@code --team-weights}, in fair order with those weights, so a
 * share setting can be compared before it is applied ({@link TeamReplay}). Prints a table and writes
 * {@code DIR/<trace>-teams.csv}.
 */
final class TeamsReport {
    static final String HEADER = "order,weights,team,weight,jobs,started,node_h,got_node_h,entitled_node_h,ratio,jain,"
            + "mean_wait_s,p95_wait_s,max_wait_s,cluster_node_h,busy_node_h,contended_h";

    private TeamsReport() {}

    /** The runs: FIFO, fair at equal weights, and fair at {@code weights} when any are given. */
    static List<TeamReplay.Result> runs(Trace trace, int nodes, Map<String, Double> weights) {
        List<TeamReplay.Result> runs = new ArrayList<>();
        runs.add(TeamReplay.run(trace, nodes, Map.of(), TeamReplay.Order.FIFO));
        runs.add(TeamReplay.run(trace, nodes, Map.of(), TeamReplay.Order.FAIR));
        if (!weights.isEmpty()) {
            runs.add(TeamReplay.run(trace, nodes, weights, TeamReplay.Order.FAIR));
        }
        return runs;
    }

    static void run(Trace trace, SimulatorMain.Options o, PrintStream out) throws IOException {
        List<TeamReplay.Result> runs = runs(trace, o.maxNodes, o.teamWeights);
        Files.createDirectories(o.out);
        Path csv = o.out.resolve(SimulatorMain.baseName(trace.name()) + "-teams.csv");
        Files.writeString(csv, csv(runs), StandardCharsets.UTF_8);
        out.print(table(runs));
        out.println("wrote " + csv);
    }

    /** {@code alpha=2 beta=1}, or {@code equal}. */
    static String weights(Map<String, Double> weights) {
        return weights.isEmpty()
                ? "equal"
                : weights.entrySet().stream()
                        .map(e -> e.getKey() + "=" + SimulationResult.num(e.getValue()))
                        .collect(Collectors.joining(" "));
    }

    static String csv(List<TeamReplay.Result> runs) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (TeamReplay.Result r : runs) {
            String w = weights(r.weights());
            for (TeamReplay.TeamScore t : r.teams()) {
                sb.append(String.format(
                        Locale.ROOT,
                        "%s,%s,%s,%s,%d,%d,%.3f,%.3f,%.3f,%s,,%.1f,%d,%d,,,%n",
                        r.order().word(),
                        w,
                        t.team(),
                        SimulationResult.num(t.weight()),
                        t.jobs(),
                        t.started(),
                        t.nodeHours(),
                        t.gotNodeHours(),
                        t.entitledNodeHours(),
                        Double.isNaN(t.ratio()) ? "" : String.format(Locale.ROOT, "%.4f", t.ratio()),
                        t.meanWaitS(),
                        t.p95WaitS(),
                        t.maxWaitS()));
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "%s,%s,(all),,%d,%d,%.3f,,,,%.4f,%.1f,%d,%d,%.3f,%.3f,%.3f%n",
                    r.order().word(),
                    w,
                    r.teams().stream().mapToInt(TeamReplay.TeamScore::jobs).sum(),
                    r.teams().stream().mapToInt(TeamReplay.TeamScore::started).sum(),
                    r.teams().stream()
                            .mapToDouble(TeamReplay.TeamScore::nodeHours)
                            .sum(),
                    r.jain(),
                    r.meanWaitS(),
                    r.p95WaitS(),
                    r.maxWaitS(),
                    r.clusterNodeHours(),
                    r.busyNodeHours(),
                    r.contendedHours()));
        }
        return sb.toString();
    }

    static String table(List<TeamReplay.Result> runs) {
        StringBuilder sb = new StringBuilder();
        TeamReplay.Result first = runs.get(0);
        sb.append(String.format(
                Locale.ROOT,
                "trace %s: %d teams on one cluster of %d nodes; cost %.1f node-h (busy %.1f), contended %.1f h%n",
                first.trace(),
                first.teams().size(),
                first.nodes(),
                first.clusterNodeHours(),
                first.busyNodeHours(),
                first.contendedHours()));
        for (TeamReplay.Result r : runs) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%n%s, weights %s: Jain %.3f, wait mean %.0f s, p95 %d s, worst %d s, cost %.1f node-h%n",
                    r.order().word(),
                    weights(r.weights()),
                    r.jain(),
                    r.meanWaitS(),
                    r.p95WaitS(),
                    r.maxWaitS(),
                    r.clusterNodeHours()));
            sb.append(String.format(
                    Locale.ROOT,
                    "  %-10s %6s %6s %10s %10s %10s %7s %10s %9s %9s%n",
                    "team",
                    "weight",
                    "jobs",
                    "node_h",
                    "got_h",
                    "entitled_h",
                    "ratio",
                    "mean_w_s",
                    "p95_w_s",
                    "max_w_s"));
            for (TeamReplay.TeamScore t : r.teams()) {
                sb.append(String.format(
                        Locale.ROOT,
                        "  %-10s %6s %6d %10.1f %10.1f %10.1f %7s %10.0f %9d %9d%n",
                        t.team(),
                        SimulationResult.num(t.weight()),
                        t.jobs(),
                        t.nodeHours(),
                        t.gotNodeHours(),
                        t.entitledNodeHours(),
                        Double.isNaN(t.ratio()) ? "-" : String.format(Locale.ROOT, "%.3f", t.ratio()),
                        t.meanWaitS(),
                        t.p95WaitS(),
                        t.maxWaitS()));
            }
            if (r.neverStarted() > 0) {
                sb.append(String.format(
                        Locale.ROOT,
                        "  %d job(s) never started (need more than %d nodes)%n",
                        r.neverStarted(),
                        r.nodes()));
            }
        }
        return sb.toString();
    }

    /** Parses {@code --team-weights} with the scheduler's own parser ({@link FairShare#parseWeights}). */
    static Map<String, Double> parseWeights(String value) {
        return FairShare.parseWeights(value);
    }
}
