package dev.ebbtide.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatorMainTest {

    @TempDir
    Path tmp;

    private Path trace() throws Exception {
        Path p = tmp.resolve("hand-trace.csv");
        Files.copy(
                SimulatorMainTest.class.getResourceAsStream("/hand-trace.csv"),
                p,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return p;
    }

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SimulatorMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsOneJsonObjectWithTheIssuesFields() throws Exception {
        Run r = run("--trace", trace().toString(), "--policy", "fixed-idle", "--idle", "60", "--boot", "120", "--json");

        assertEquals(0, r.code(), r.err());
        String json = r.out().trim();
        assertTrue(json.startsWith("{") && json.endsWith("}") && !json.contains("\n"), json);
        for (String field : List.of(
                "jobs",
                "nodeHours",
                "oracleNodeHours",
                "costRatio",
                "meanWaitS",
                "p50WaitS",
                "p95WaitS",
                "p99WaitS",
                "scaleUps",
                "scaleDowns")) {
            assertTrue(json.contains("\"" + field + "\":"), field + " missing in " + json);
        }
        assertTrue(json.contains("\"jobs\":6,"), json);
        assertTrue(json.contains("\"meanWaitS\":89.167,"), json);
        assertTrue(json.contains("\"scaleUps\":5,"), json);
    }

    @Test
    void printsATableByDefault() throws Exception {
        Run r = run("--trace", trace().toString(), "--policy", "adaptive", "--max-nodes", "4");

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("mean_w_s"), r.out());
        assertTrue(r.out().contains("adaptive"), r.out());
    }

    @Test
    void allWritesTheFrontierCsvAndSvg() throws Exception {
        Path out = tmp.resolve("sim");
        Run r = run("--trace", trace().toString(), "--policy", "all", "--out", out.toString());

        assertEquals(0, r.code(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("hand-trace-frontier.csv"));
        assertEquals(1 + SimulatorMain.FRONTIER_IDLE_S.size() + 5, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(0).startsWith("policy,idle_s,"));
        String svg = Files.readString(out.resolve("hand-trace-frontier.svg"));
        assertTrue(svg.startsWith("<svg") && svg.trim().endsWith("</svg>"));
        assertTrue(svg.contains("adaptive"));
    }

    @Test
    void rejectsBadArguments() throws Exception {
        assertEquals(2, run("--policy", "fixed-idle").code());
        assertEquals(2, run("--trace", trace().toString(), "--policy", "nope").code());
        assertEquals(
                2,
                run("--trace", trace().toString(), "--policy", "fixed-idle", "--idle", "-1")
                        .code());
        assertEquals(
                2,
                run("--trace", trace().toString(), "--policy", "fixed-idle", "--frobnicate")
                        .code());
        assertEquals(
                1,
                run("--trace", tmp.resolve("missing.csv").toString(), "--policy", "fixed-idle")
                        .code());
        assertEquals(0, run("--help").code());
    }
}
