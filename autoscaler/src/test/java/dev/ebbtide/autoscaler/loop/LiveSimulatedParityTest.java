package dev.ebbtide.autoscaler.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.core.scaling.Policies;
import dev.ebbtide.core.scaling.ScalingSettings;
import dev.ebbtide.simulator.Simulation;
import dev.ebbtide.simulator.SimulationResult;
import dev.ebbtide.simulator.Trace;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Live = simulated: the same trace slice replayed twice through the simulator's world (placement with the scheduler's
 * {@code PlacementPlanner}, nodes booting in exactly the boot time), once with the simulator's decision side
 * ({@code PolicyController}) and once with the live {@link Autoscaler} fed the events it consumes in production
 * ({@link LiveController}), must give the same decisions: the same target and the same removed nodes at the same
 * instants (per instant: both sides may split one instant's work into several decisions), and so the same bill and
 * waits. No broker: the code under test is the autoscaler's event handling,
 * {@link ClusterState}'s snapshot and arrival history, and the policy call.
 *
 * <p>Slices (test resources, kept small): {@code parity/philly-slice.csv} = the 177 jobs of philly-dev submitted in
 * [864000, 885600) s (8 clusters), {@code parity/itp-slice.csv} = the 169 jobs of itp-dev in [864000, 871200) s
 * (5 clusters, gangs of 4 nodes). Sources and licences: {@code /work/shared/traces/README.md} (Philly: CC BY 4.0,
 * Jeon et al., ATC'19, via the Sia artifact; ITP: MIT, Gu et al., ASPLOS'23).
 */
class LiveSimulatedParityTest {
    private static final Duration BOOT = Duration.ofSeconds(120);
    private static final int MAX_NODES = 10_000;

    @ParameterizedTest(name = "{0} with {1}, idle {2} s")
    @CsvSource({
        "philly-slice.csv, fixed-idle, 120",
        "philly-slice.csv, fixed-idle, 1800",
        "philly-slice.csv, adaptive, 120",
        "philly-slice.csv, adaptive-learned, 1800",
        "itp-slice.csv, fixed-idle, 600",
        "itp-slice.csv, adaptive-eager, 120",
        "itp-slice.csv, adaptive-learned, 3600",
    })
    void liveAutoscalerDecidesAsTheSimulator(String slice, String policy, long idleS) throws Exception {
        Trace trace = read(slice);
        ScalingSettings settings = new ScalingSettings(0, MAX_NODES, Duration.ofSeconds(idleS));

        Simulation simulated = new Simulation(Policies.create(policy, BOOT), settings, BOOT).recordDecisions();
        SimulationResult sim = simulated.run(trace);

        Simulation driven = new Simulation(
                        policy, cluster -> new LiveController(cluster, policy, MAX_NODES, idleS, BOOT), settings, BOOT)
                .recordDecisions();
        SimulationResult liveResult = driven.run(trace);

        assertTrue(
                simulated.decisions().size() > 20,
                "the slice exercises scaling: " + simulated.decisions().size());
        assertTrue(simulated.decisions().stream().anyMatch(d -> !d.removeNodes().isEmpty()), "and removals");
        assertEquals(lines(simulated.decisions()), lines(driven.decisions()));
        assertEquals(
                sim.toJson().replaceAll("\"replayS\":[0-9.]+", ""),
                liveResult.toJson().replaceAll("\"replayS\":[0-9.]+", ""));
    }

    /**
     * One line per cluster and instant: the last target and every node removed at that instant. Both sides may split
     * what happens at one instant differently (the autoscaler decides after each event it consumes, the replay after
     * each batch), so decisions are compared per instant.
     */
    private static String lines(List<Simulation.Decided> decisions) {
        Map<String, String> target = new LinkedHashMap<>();
        Map<String, Set<String>> removed = new LinkedHashMap<>();
        for (Simulation.Decided d : decisions) {
            String key = d.cluster() + " " + d.at();
            target.put(key, " target " + d.targetCount());
            removed.computeIfAbsent(key, k -> new TreeSet<>()).addAll(d.removeNodes());
        }
        StringBuilder sb = new StringBuilder();
        target.forEach((key, t) -> sb.append(key)
                .append(t)
                .append(" remove ")
                .append(removed.get(key))
                .append('\n'));
        return sb.toString();
    }

    private static Trace read(String slice) throws Exception {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                LiveSimulatedParityTest.class.getResourceAsStream("/parity/" + slice), StandardCharsets.UTF_8))) {
            return Trace.read(slice, r);
        }
    }
}
