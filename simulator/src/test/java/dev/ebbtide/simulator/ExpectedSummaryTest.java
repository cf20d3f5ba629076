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
 * Replays {@code bursty-trace.csv} (330 synthetic jobs in bursts, 2 queues) with {@code --policy all} and compares
 * every figure except the replay time with the checked-in {@code expected/bursty-trace-frontier.csv}, so that any
 * change to a policy, the planner or the model shows up as a reviewable diff. To accept a deliberate change:
 * <pre>
 * java -cp core/target/classes:simulator/target/classes dev.ebbtide.simulator.SimulatorMain \
 *   --trace simulator/src/test/resources/bursty-trace.csv --policy all --out /tmp/sim
 * cut -d, -f1-17 /tmp/sim/bursty-trace-frontier.csv > simulator/src/test/resources/expected/bursty-trace-frontier.csv
 * </pre>
 */
class ExpectedSummaryTest {

    @TempDir
    Path tmp;

    @Test
    void frontierOfTheBurstyTraceIsUnchanged() throws Exception {
        Path trace = tmp.resolve("bursty-trace.csv");
        Files.copy(
                ExpectedSummaryTest.class.getResourceAsStream("/bursty-trace.csv"),
                trace,
                StandardCopyOption.REPLACE_EXISTING);
        Path out = tmp.resolve("sim");
        int code = SimulatorMain.run(
                new String[] {"--trace", trace.toString(), "--policy", "all", "--out", out.toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                System.err);
        assertEquals(0, code);

        String actual = withoutReplayTime(Files.readAllLines(out.resolve("bursty-trace-frontier.csv")));
        String expected;
        try (var in = ExpectedSummaryTest.class.getResourceAsStream("/expected/bursty-trace-frontier.csv")) {
            expected = withoutReplayTime(List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")));
        }
        assertEquals(
                expected,
                actual,
                "the replayed figures changed; if deliberate, update the expected file " + "(see this test's javadoc)");
    }

    /** Keeps the first 17 columns (drops replay_s). */
    private static String withoutReplayTime(List<String> lines) {
        return lines.stream()
                .filter(l -> !l.isBlank())
                .map(l -> {
                    String[] f = l.trim().split(",", -1);
                    return String.join(",", List.of(f).subList(0, Math.min(17, f.length)));
                })
                .collect(Collectors.joining("\n"));
    }
}
