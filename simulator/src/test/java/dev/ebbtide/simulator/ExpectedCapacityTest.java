package dev.ebbtide.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays {@code bursty-trace.csv} (330 jobs, 42 of them on 2 or 4 nodes, 2 queues) with {@code --capacity-report
 * --quota-nodes 8 --spot-eviction-rate 0.05} and compares every figure except the replay time with the checked-in
 * {@code expected/bursty-trace-capacity.csv}: partial against atomic gangs under a shared quota, Spot (seeded
 * evictions, with and without checkpoints) against dedicated. To accept a deliberate change:
 * <pre>
 * java -cp core/target/classes:simulator/target/classes dev.ebbtide.simulator.SimulatorMain \
 *   --trace simulator/src/test/resources/bursty-trace.csv --capacity-report --quota-nodes 8 \
 *   --spot-eviction-rate 0.05 --out /tmp/sim
 * awk -F, 'BEGIN{OFS=","}{NF=NF-1; print}' /tmp/sim/bursty-trace-capacity.csv \
 *   > simulator/src/test/resources/expected/bursty-trace-capacity.csv
 * </pre>
 */
class ExpectedCapacityTest {

    @TempDir
    Path tmp;

    @Test
    void capacityReportOfTheBurstyTraceIsUnchanged() throws Exception {
        Path trace = tmp.resolve("bursty-trace.csv");
        Files.copy(
                ExpectedCapacityTest.class.getResourceAsStream("/bursty-trace.csv"),
                trace,
                StandardCopyOption.REPLACE_EXISTING);
        Path out = tmp.resolve("sim");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int code = SimulatorMain.run(
                new String[] {
                    "--trace",
                    trace.toString(),
                    "--capacity-report",
                    "--quota-nodes",
                    "8",
                    "--spot-eviction-rate",
                    "0.05",
                    "--out",
                    out.toString()
                },
                new PrintStream(printed, true, StandardCharsets.UTF_8),
                System.err);
        assertEquals(0, code);

        String actual = withoutReplayTime(Files.readAllLines(out.resolve("bursty-trace-capacity.csv")));
        String expected;
        try (var in = ExpectedCapacityTest.class.getResourceAsStream("/expected/bursty-trace-capacity.csv")) {
            expected = withoutReplayTime(List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")));
        }
        assertEquals(
                expected,
                actual,
                "the replayed figures changed; if deliberate, update the expected file (see this test's javadoc)");
    }

    /** Keeps every column but replay_s (the last). */
    private static String withoutReplayTime(List<String> lines) {
        int keep = CapacityReport.HEADER.split(",").length - 1;
        return lines.stream()
                .filter(l -> !l.isBlank())
                .map(l -> {
                    String[] f = l.trim().split(",", -1);
                    return String.join(",", List.of(f).subList(0, Math.min(keep, f.length)));
                })
                .collect(Collectors.joining("\n"));
    }
}
