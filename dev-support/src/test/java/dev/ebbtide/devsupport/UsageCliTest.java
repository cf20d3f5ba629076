package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ebbtide usage} against a stand-in scheduler that answers as {@code GET /usage} does (its real answers are
 * checked in the scheduler's UsageFlowTest).
 */
class UsageCliTest {
    static final String ANSWER = """
            {"by":"team","since":"2026-11-01T00:00:00Z","until":"2026-12-01T00:00:00Z","currency":"USD",
             "note":"estimated cost","rows":[
              {"key":"vision","nodeSeconds":7200.0,"idleNodeSeconds":0.0,"coreHours":12.0,"gpuHours":2.0,
               "estimatedCost":6.12,"unpricedNodeSeconds":0.0,"currency":"USD"},
              {"key":"(idle)","nodeSeconds":1800.0,"idleNodeSeconds":1800.0,"coreHours":3.0,"gpuHours":0.5,
               "estimatedCost":1.53,"unpricedNodeSeconds":60.0,"currency":"USD"}]}
            """;
    HttpServer scheduler;
    final List<String> asked = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        scheduler = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        scheduler.createContext("/usage", ex -> {
            asked.add(
                    ex.getRequestURI().getQuery() + " " + ex.getRequestHeaders().getFirst("Authorization"));
            boolean bad = ex.getRequestURI().getQuery().contains("by=project");
            byte[] body = (bad ? "{\"error\":\"by must be team, user, cluster or job, not 'project'\"}" : ANSWER)
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(bad ? 400 : 200, body.length);
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
    void printsATablePerTeam() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, cli(out, err).run(new String[] {"--by", "team", "--since", "30d"}), err.toString());
        assertEquals(List.of("by=team&since=30d Bearer tok"), asked);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(
                List.of("TEAM", "NODE-HOURS", "IDLE-HOURS", "CORE-HOURS", "GPU-HOURS", "COST", "(USD)"),
                List.of(lines.get(0).trim().split("\\s+")));
        assertEquals(
                List.of("vision", "2.00", "0.00", "12.00", "2.00", "6.12"),
                List.of(lines.get(1).split("\\s+")));
        assertEquals(
                List.of("(idle)", "0.50", "0.50", "3.00", "0.50", "1.53*"),
                List.of(lines.get(2).split("\\s+")));
    }

    @Test
    void aRefusedGroupingIsTheSchedulersSentence() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, cli(new ByteArrayOutputStream(), err).run(new String[] {"--by", "project"}));
        assertEquals(
                "by must be team, user, cluster or job, not 'project'",
                err.toString(StandardCharsets.UTF_8).trim());
        assertEquals(2, cli(new ByteArrayOutputStream(), err).run(new String[] {"--what"}));
    }

    private UsageCli cli(ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return new UsageCli(
                "http://127.0.0.1:" + scheduler.getAddress().getPort(),
                "tok",
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
