package dev.ebbtide.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --windows}: per-window scoring of every policy, on the 330-job bursty trace (submissions 630..85,022 s). */
class WindowsTest {

    @TempDir
    Path tmp;

    @Test
    void splitsByThePeriodOfSubmissionFromTheOrigin() {
        Trace t = new Trace(
                "t.csv",
                List.of(
                        new Trace.Job("a", 10, 5, 1, "q"),
                        new Trace.Job("b", 3599, 5, 1, "q"),
                        new Trace.Job("c", 3600, 5, 1, "q"),
                        new Trace.Job("d", 11_000, 5, 1, "q")));

        List<Trace> w = Windows.split(t, 3600);

        assertEquals(List.of(2, 1, 1), w.stream().map(x -> x.jobs().size()).toList());
        assertTrue(w.get(0).name().startsWith("t.csv["), w.get(0).name());
        assertEquals("d", w.get(2).jobs().get(0).id());
    }

    @Test
    void scoresEveryPolicyPerWindowAndOnTheWhole() throws Exception {
        Path trace = tmp.resolve("bursty-trace.csv");
        Files.copy(
                WindowsTest.class.getResourceAsStream("/bursty-trace.csv"), trace, StandardCopyOption.REPLACE_EXISTING);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = SimulatorMain.run(
                new String[] {
                    "--trace",
                    trace.toString(),
                    "--windows",
                    "12h",
                    "--out",
                    tmp.resolve("sim").toString()
                },
                new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err);
        assertEquals(0, code);

        List<String> csv = Files.readAllLines(tmp.resolve("sim").resolve("bursty-trace-windows.csv"));
        int entries = Windows.entries(120).size();
        assertEquals(1 + entries * 3, csv.size()); // two 12 h windows and the whole trace
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("| adaptive-learned | 3600 |"), table);
        assertTrue(table.contains("whole (330 jobs)"), table);
        // fixed-idle 0 is the cheapest policy in every window, so nothing dominates it (empty dominated_by)
        assertTrue(
                csv.stream().filter(l -> l.contains(",fixed-idle,0,")).allMatch(l -> l.endsWith(",")), csv.toString());
    }

    @Test
    void rejectsABadLength() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SimulatorMain.run(
                new String[] {"--trace", "x.csv", "--windows", "7x"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--windows needs a length > 0 such as 7d"));
    }
}
