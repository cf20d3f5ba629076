package dev.ebbtide.console.web;

import io.quarkus.qute.TemplateData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The what-if chart's data: cost (node-hours) against mean wait for the fixed-idle frontier (the cluster's jobs
 * replayed with each idle time of {@link #FRONTIER_IDLE_S}), the current setting and the proposed one. uPlot wants one
 * x array in ascending order shared by every series, so each point gets its own x and the other series a null there.
 */
public final class WhatIfChart {
    /** The idle times (seconds) the frontier is made of. */
    public static final List<Long> FRONTIER_IDLE_S = List.of(0L, 30L, 60L, 120L, 300L, 600L, 1800L, 3600L);

    /** One replay: its idle time, node-hours and mean wait in seconds. */
    @TemplateData
    public record Point(long idleS, double nodeHours, double meanWaitS) {
        /** Node-hours as the page shows them. */
        public String hours() {
            return String.format(java.util.Locale.ROOT, "%.3f", nodeHours);
        }

        /** Mean wait as the page shows it. */
        public String waitS() {
            return String.format(java.util.Locale.ROOT, "%.1f", meanWaitS);
        }
    }

    /** Series for uPlot: x (mean wait, s), then frontier, current and proposed node-hours (null where absent). */
    public record Series(List<Double> x, List<Double> frontier, List<Double> current, List<Double> proposed) {}

    private WhatIfChart() {}

    public static Series of(List<Point> frontier, Point current, Point proposed) {
        record Tagged(Point p, int series) {}
        List<Tagged> all = new ArrayList<>();
        frontier.forEach(p -> all.add(new Tagged(p, 0)));
        all.add(new Tagged(current, 1));
        all.add(new Tagged(proposed, 2));
        all.sort(Comparator.comparingDouble((Tagged t) -> t.p().meanWaitS())
                .thenComparingDouble(t -> t.p().nodeHours()));
        List<Double> x = new ArrayList<>();
        List<List<Double>> ys = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (Tagged t : all) {
            x.add(t.p().meanWaitS());
            for (int s = 0; s < 3; s++) {
                ys.get(s).add(s == t.series() ? t.p().nodeHours() : null);
            }
        }
        return new Series(x, ys.get(0), ys.get(1), ys.get(2));
    }
}
