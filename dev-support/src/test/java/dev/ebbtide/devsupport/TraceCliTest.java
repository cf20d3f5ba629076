package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ebbtide.simulator.SimulatorMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ebbtide trace export} against a stand-in scheduler that answers as {@code GET /clusters/{name}/trace} does
 * (its real output is checked in the scheduler's TraceResourceTest): the file it writes replays in the simulator.
 */
class TraceCliTest {
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final String CSV = """
            job_id,submit_s,duration_s,nodes,gpus,queue,status
            j1,5,300,2,,gpu,Completed
            j2,60,30,1,,gpu,Failed
            j3,900,45,1,,gpu,Running
            """;
    HttpServer scheduler;
    final List<String> asked = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        scheduler = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        scheduler.createContext("/clusters/", ex -> {
            asked.add(ex.getRequestURI().getPath() + "?" + ex.getRequestURI().getQuery() + " "
                    + ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = CSV.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        scheduler.start();
    }

    @AfterEach
    void stop() {
        scheduler.stop(0);
    }

    @Test
    void exportWritesATraceThatSimulateReplays(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gpu.csv");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = cli(err).run(new String[] {"export", "--cluster", "gpu", "--since", "2h", "--out", file.toString()});
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("/clusters/gpu/trace?since=2026-03-01T10:00:00Z Bearer tok"), asked);
        assertEquals(CSV, Files.readString(file));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("wrote 3 jobs"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(
                0,
                SimulatorMain.run(
                        new String[] {"--trace", file.toString(), "--policy", "fixed-idle", "--json"},
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        System.err));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("\"startedJobs\":3"), out.toString());
    }

    @Test
    void badSinceIsAUsageError() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, cli(err).run(new String[] {"export", "--cluster", "gpu", "--since", "last tuesday"}));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--since takes an age like 2h"));
        assertEquals(List.of(), asked);
    }

    private TraceCli cli(ByteArrayOutputStream err) {
        return new TraceCli(
                "http://127.0.0.1:" + scheduler.getAddress().getPort(),
                "tok",
                Clock.fixed(NOW, ZoneOffset.UTC),
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
