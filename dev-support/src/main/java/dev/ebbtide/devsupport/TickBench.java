package dev.ebbtide.devsupport;

import dev.ebbtide.core.scaling.ClusterSnapshot;
import dev.ebbtide.core.scaling.Policies;
import dev.ebbtide.core.scaling.ScalingDecision;
import dev.ebbtide.core.scaling.ScalingNode;
import dev.ebbtide.core.scaling.ScalingPolicy;
import dev.ebbtide.core.scaling.ScalingSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One autoscaler decision tick over many clusters, timed in this JVM: for every cluster, the snapshot the autoscaler
 * builds from its state (a copy of the node and demand lists) and the policy's pure {@code decide}. Warmed up first;
 * the figure is the median and the worst of the measured ticks.
 */
final class TickBench {
    private TickBench() {}

    static void run(BenchReport report, int clusters, int nodesPerCluster) {
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        List<List<ScalingNode>> nodes = new ArrayList<>();
        List<List<Integer>> demand = new ArrayList<>();
        for (int c = 0; c < clusters; c++) {
            List<ScalingNode> list = new ArrayList<>();
            for (int n = 0; n < nodesPerCluster; n++) {
                String name = "c" + c + "-n" + n;
                list.add(
                        switch (n % 4) {
                            case 0, 1 -> ScalingNode.busy(name);
                            case 2 -> ScalingNode.idle(name, now.minusSeconds(30L * (c % 10)));
                            default -> ScalingNode.preparing(name);
                        });
            }
            nodes.add(list);
            demand.add(c % 3 == 0 ? List.of(1, 2) : List.of());
        }
        for (String name : List.of("fixed-idle", "adaptive")) {
            ScalingPolicy policy = Policies.create(name, Duration.ofSeconds(90));
            ScalingSettings settings = new ScalingSettings(0, nodesPerCluster + 4, Duration.ofSeconds(120));
            List<Long> ticks = new ArrayList<>();
            int changes = 0;
            for (int round = 0; round < 60; round++) {
                long start = System.nanoTime();
                changes = 0;
                for (int c = 0; c < clusters; c++) {
                    ClusterSnapshot s = new ClusterSnapshot("c" + c, settings, demand.get(c), nodes.get(c), 0, null);
                    ScalingDecision d = policy.decide(s, now);
                    if (d != null) {
                        changes++;
                    }
                }
                if (round >= 20) { // the first 20 rounds warm the JIT up
                    ticks.add((System.nanoTime() - start) / 1000);
                }
            }
            report.row(
                    String.format(
                            "decision tick (%s): %d clusters / %d nodes", name, clusters, clusters * nodesPerCluster),
                    "p50 %.1f ms, max %.1f ms (%d decisions)",
                    BenchReport.pct(ticks, 50) / 1000.0,
                    BenchReport.pct(ticks, 100) / 1000.0,
                    changes);
        }
    }
}
