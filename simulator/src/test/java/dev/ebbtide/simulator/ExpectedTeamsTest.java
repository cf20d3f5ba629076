package dev.ebbtide.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays {@code bursty-trace.csv} (teams alpha and beta) with {@code --teams --max-nodes 6 --team-weights
 * alpha=2,beta=1} and compares the whole CSV with the checked-in {@code expected/bursty-trace-teams.csv}: FIFO, fair
 * share at equal weights and at 2:1, per team share against entitlement, Jain's index, waits and cost. A change of
 * {@code FairShare} or {@code PlacementPlanner} shows as a diff. To accept a deliberate change:
 * <pre>
 * java -cp core/target/classes:simulator/target/classes dev.ebbtide.simulator.SimulatorMain \
 *   --trace simulator/src/test/resources/bursty-trace.csv --teams --max-nodes 6 --team-weights alpha=2,beta=1 \
 *   --out /tmp/sim
 * cp /tmp/sim/bursty-trace-teams.csv simulator/src/test/resources/expected/bursty-trace-teams.csv
 * </pre>
 */
class ExpectedTeamsTest {

    @TempDir
    Path tmp;

    @Test
    void teamsReportOfTheBurstyTraceIsUnchanged() throws Exception {
        Path trace = tmp.resolve("bursty-trace.csv");
        Files.copy(
                ExpectedTeamsTest.class.getResourceAsStream("/bursty-trace.csv"),
                trace,
                StandardCopyOption.REPLACE_EXISTING);
        Path out = tmp.resolve("sim");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int code = SimulatorMain.run(
                new String[] {
                    "--trace",
                    trace.toString(),
                    "--teams",
                    "--max-nodes",
                    "6",
                    "--team-weights",
                    "alpha=2,beta=1",
                    "--out",
                    out.toString()
                },
                new PrintStream(printed, true, StandardCharsets.UTF_8),
                System.err);
        assertEquals(0, code);
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("fair, weights alpha=2 beta=1: Jain"));

        String actual = Files.readString(out.resolve("bursty-trace-teams.csv")).strip();
        String expected;
        try (var in = ExpectedTeamsTest.class.getResourceAsStream("/expected/bursty-trace-teams.csv")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        assertEquals(
                expected,
                actual,
                "the replayed figures changed; if deliberate, update the expected file (see this test's javadoc)");
    }
}
