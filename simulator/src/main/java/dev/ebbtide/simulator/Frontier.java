package dev.ebbtide.simulator;

import dev.ebbtide.core.scaling.FixedIdlePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The cost/wait frontier of several replays as CSV and as an SVG chart. */
final class Frontier {

    private Frontier() {}

    static String csv(List<SimulationResult> results) {
        StringBuilder sb = new StringBuilder("policy,idle_s,boot_s,max_nodes,jobs,node_hours,oracle_node_hours,"
                + "cost_ratio,mean_wait_s,p50_wait_s,p95_wait_s,p99_wait_s,max_wait_s,scale_ups,scale_downs,"
                + "nodes_added,nodes_removed,replay_s\n");
        for (SimulationResult r : results) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%s,%s,%s,%d,%d,%.3f,%.3f,%.5f,%.3f,%s,%s,%s,%s,%d,%d,%d,%d,%.3f%n",
                    r.policy(),
                    SimulationResult.num(r.idleS()),
                    SimulationResult.num(r.bootS()),
                    r.maxNodes(),
                    r.jobs(),
                    r.nodeHours(),
                    r.oracleNodeHours(),
                    r.costRatio(),
                    r.meanWaitS(),
                    SimulationResult.num(r.p50WaitS()),
                    SimulationResult.num(r.p95WaitS()),
                    SimulationResult.num(r.p99WaitS()),
                    SimulationResult.num(r.maxWaitS()),
                    r.scaleUps(),
                    r.scaleDowns(),
                    r.nodesAdded(),
                    r.nodesRemoved(),
                    r.replayS()));
        }
        return sb.toString();
    }

    /** Cost ratio (y) against mean wait (x); fixed-idle points joined as a line, adaptive policies as red diamonds. */
    static String svg(String trace, double bootS, List<SimulationResult> results) {
        int w = 720;
        int h = 480;
        int left = 70;
        int right = 180;
        int top = 40;
        int bottom = 50;
        double maxX = 0;
        double minY = Double.MAX_VALUE;
        double maxY = 0;
        for (SimulationResult r : results) {
            maxX = Math.max(maxX, r.meanWaitS());
            minY = Math.min(minY, r.costRatio());
            maxY = Math.max(maxY, r.costRatio());
        }
        maxX = niceCeil(maxX * 1.05);
        double yLo = Math.max(0, Math.floor(minY * 100 - 1) / 100);
        double yHi = Math.ceil(maxY * 100 + 1) / 100;
        double pw = w - left - right;
        double ph = h - top - bottom;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n",
                w,
                h));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"22\" font-size=\"14\">%s: cost ratio against mean " + "wait (boot %s s)</text>%n",
                left,
                xml(trace),
                SimulationResult.num(bootS)));
        sb.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" " + "stroke=\"#444\"/>%n",
                left,
                top,
                pw,
                ph));
        for (int k = 0; k <= 5; k++) {
            double xv = maxX * k / 5;
            double x = left + pw * k / 5;
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                    x,
                    top,
                    x,
                    top + ph,
                    x,
                    top + ph + 16,
                    SimulationResult.num(Math.round(xv * 10) / 10.0)));
            double yv = yLo + (yHi - yLo) * k / 5;
            double y = top + ph - ph * k / 5;
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>%n",
                    left,
                    y,
                    left + pw,
                    y,
                    left - 6,
                    y + 4,
                    yv));
        }
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">mean wait (s)</text>%n",
                left + pw / 2,
                h - 12));
        sb.append(String.format(
                Locale.ROOT,
                "<text transform=\"translate(18,%.1f) rotate(-90)\" "
                        + "text-anchor=\"middle\">cost ratio (node-h / oracle)</text>%n",
                top + ph / 2));
        List<String> line = new ArrayList<>();
        for (SimulationResult r : results) {
            double x = left + pw * r.meanWaitS() / maxX;
            double y = top + ph - ph * (r.costRatio() - yLo) / (yHi - yLo);
            if (r.policy().equals(FixedIdlePolicy.NAME)) {
                line.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
                sb.append(String.format(
                        Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1f77b4\"/>"
                                + "<text x=\"%.1f\" y=\"%.1f\" fill=\"#1f77b4\">T=%s</text>%n",
                        x,
                        y,
                        x + 6,
                        y - 6,
                        SimulationResult.num(r.idleS())));
            } else {
                sb.append(String.format(
                        Locale.ROOT,
                        "<path d=\"M %.1f %.1f l 7 7 l -7 7 l -7 -7 z\" fill=\"#d62728\"/>"
                                + "<text x=\"%.1f\" y=\"%.1f\" fill=\"#d62728\">%s</text>%n",
                        x,
                        y - 7,
                        x + 9,
                        y + 4,
                        xml(r.policy())));
            }
        }
        if (line.size() > 1) {
            sb.append("<polyline fill=\"none\" stroke=\"#1f77b4\" points=\"")
                    .append(String.join(" ", line))
                    .append("\"/>\n");
        }
        int lx = w - right + 15;
        sb.append(String.format(
                Locale.ROOT,
                "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"#1f77b4\"/><text x=\"%d\" "
                        + "y=\"%d\">fixed-idle (T in s)</text>%n",
                lx,
                top + 10,
                lx + 10,
                top + 14));
        sb.append(String.format(
                Locale.ROOT,
                "<path d=\"M %d %d l 7 7 l -7 7 l -7 -7 z\" fill=\"#d62728\"/><text "
                        + "x=\"%d\" y=\"%d\">adaptive</text>%n",
                lx,
                top + 23,
                lx + 10,
                top + 34));
        return sb.append("</svg>\n").toString();
    }

    private static double niceCeil(double v) {
        if (v <= 0) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * mag >= v) {
                return step * mag;
            }
        }
        return 10 * mag;
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
