package dev.ebbtide.simulator;

import dev.ebbtide.core.scaling.AdaptivePolicy;
import dev.ebbtide.core.scaling.FixedIdlePolicy;
import dev.ebbtide.core.scaling.Policies;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --windows LENGTH}: scores every policy on each window of the trace (jobs by submission time, the window
 * replayed alone from empty clusters, as a held-back window would be) and on the whole trace. The baseline set is
 * fixed-idle at every {@link SimulatorMain#FRONTIER_IDLE_S}; the adaptive policies run with {@code --idle} as their
 * ceiling, and {@value AdaptivePolicy#LEARNED} also with the ceilings in {@link #LEARNED_CEILINGS_S}. A cell is marked
 * {@code *} when some fixed idle time is better on both cost and mean wait in that window (the policy is dominated).
 */
final class Windows {

    /** Extra ceilings {@value AdaptivePolicy#LEARNED} is scored with (it learns an idle time below the ceiling). */
    static final List<Integer> LEARNED_CEILINGS_S = List.of(1800, 3600);

    /** One policy at one idle setting. */
    record Entry(String policy, double idleS) {
        String label() {
            return policy + " " + SimulationResult.num(idleS);
        }
    }

    private Windows() {}

    static List<Entry> entries(double idleS) {
        List<Entry> entries = new ArrayList<>();
        for (int t : SimulatorMain.FRONTIER_IDLE_S) {
            entries.add(new Entry(FixedIdlePolicy.NAME, t));
        }
        for (String name : Policies.names()) {
            if (!name.equals(FixedIdlePolicy.NAME)) {
                entries.add(new Entry(name, idleS));
            }
        }
        for (int c : LEARNED_CEILINGS_S) {
            if (c != idleS) {
                entries.add(new Entry(AdaptivePolicy.LEARNED, c));
            }
        }
        return entries;
    }

    /** The jobs submitted in each window of {@code lengthS} seconds from the trace origin (empty windows left out). */
    static List<Trace> split(Trace trace, double lengthS) {
        List<Trace> windows = new ArrayList<>();
        List<Trace.Job> current = new ArrayList<>();
        long index = -1;
        for (Trace.Job j : trace.jobs()) {
            long w = (long) Math.floor(j.submitS() / lengthS);
            if (w != index && !current.isEmpty()) {
                windows.add(window(trace, index, lengthS, current));
                current = new ArrayList<>();
            }
            index = w;
            current.add(j);
        }
        if (!current.isEmpty()) {
            windows.add(window(trace, index, lengthS, current));
        }
        return windows;
    }

    private static Trace window(Trace trace, long index, double lengthS, List<Trace.Job> jobs) {
        return new Trace(
                String.format(
                        Locale.ROOT, "%s[%s-%s)d", trace.name(), days(index * lengthS), days((index + 1) * lengthS)),
                jobs);
    }

    private static String days(double s) {
        return SimulationResult.num(Math.round(s / 86400.0 * 10) / 10.0);
    }

    static void run(Trace trace, SimulatorMain.Options o, PrintStream out) throws IOException {
        List<Trace> windows = split(trace, o.windowS);
        windows.add(trace);
        List<Entry> entries = entries(o.idleS);
        SimulationResult[][] r = new SimulationResult[entries.size()][windows.size()];
        StringBuilder csv = new StringBuilder("window,jobs,policy,idle_s,node_hours,cost_ratio,mean_wait_s,p50_wait_s,"
                + "p95_wait_s,dominated_by\n");
        for (int e = 0; e < entries.size(); e++) {
            for (int w = 0; w < windows.size(); w++) {
                r[e][w] = SimulatorMain.simulate(
                        windows.get(w),
                        entries.get(e).policy(),
                        o.settings(entries.get(e).idleS()),
                        o.bootS);
            }
        }
        StringBuilder table = new StringBuilder("| policy | idle (s) |");
        StringBuilder rule = new StringBuilder("|---|---:|");
        for (Trace w : windows) {
            table.append(' ')
                    .append(
                            w == trace
                                    ? "whole"
                                    : w.name().substring(trace.name().length()))
                    .append(" (")
                    .append(w.jobs().size())
                    .append(" jobs) |");
            rule.append("---|");
        }
        table.append('\n').append(rule).append('\n');
        for (int e = 0; e < entries.size(); e++) {
            Entry entry = entries.get(e);
            table.append("| ")
                    .append(entry.policy())
                    .append(" | ")
                    .append(SimulationResult.num(entry.idleS()))
                    .append(" |");
            for (int w = 0; w < windows.size(); w++) {
                String by = dominatedBy(entries, r, e, w);
                SimulationResult x = r[e][w];
                table.append(String.format(
                        Locale.ROOT, " %.4f / %.1f%s |", x.costRatio(), x.meanWaitS(), by.isEmpty() ? "" : " *"));
                csv.append(String.format(
                        Locale.ROOT,
                        "%s,%d,%s,%s,%.3f,%.5f,%.3f,%s,%s,%s%n",
                        windows.get(w) == trace ? "whole" : windows.get(w).name(),
                        windows.get(w).jobs().size(),
                        entry.policy(),
                        SimulationResult.num(entry.idleS()),
                        x.nodeHours(),
                        x.costRatio(),
                        x.meanWaitS(),
                        SimulationResult.num(x.p50WaitS()),
                        SimulationResult.num(x.p95WaitS()),
                        by));
            }
            table.append('\n');
        }
        Files.createDirectories(o.out);
        Path file = o.out.resolve(SimulatorMain.baseName(trace.name()) + "-windows.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        out.printf(
                Locale.ROOT,
                "trace %s: windows of %s d, boot %s s, costRatio / mean wait (s); * = a fixed idle "
                        + "time has both lower cost and lower mean wait in that window%n",
                trace.name(),
                SimulationResult.num(o.windowS / 86400.0),
                SimulationResult.num(o.bootS));
        out.print(table);
        out.println("wrote " + file);
    }

    /** The fixed idle times (space-separated) with lower cost and lower mean wait than entry {@code e} in window w. */
    static String dominatedBy(List<Entry> entries, SimulationResult[][] r, int e, int w) {
        StringBuilder by = new StringBuilder();
        for (int f = 0; f < entries.size(); f++) {
            if (f != e
                    && entries.get(f).policy().equals(FixedIdlePolicy.NAME)
                    && r[f][w].costRatio() < r[e][w].costRatio()
                    && r[f][w].meanWaitS() < r[e][w].meanWaitS()) {
                by.append(by.length() == 0 ? "" : " ")
                        .append(SimulationResult.num(entries.get(f).idleS()));
            }
        }
        return by.toString();
    }
}
