package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ebbtide policy} against a stand-in autoscaler answering as the real one (PolicyGovernanceTest checks that). */
class PolicyCliTest {
    static final String V2 = """
            {"version":2,"principal":"alice","at":"2026-12-01T10:15:02Z","reason":"sprint","settings":{"minInstances":0,\
            "maxInstances":4,"idleTimeBeforeScaleDown":600,"policy":"fixed-idle"},"changes":[{"field":\
            "idle_time_before_scale_down","from":"120","to":"600"}]}""";
    static final String V1 = """
            {"version":1,"principal":"file","at":"2026-12-01T09:00:00Z","settings":{"minInstances":0,"maxInstances":4,\
            "idleTimeBeforeScaleDown":120,"policy":"fixed-idle"},"changes":[{"field":"max_instances","to":"4"}]}""";
    HttpServer autoscaler;
    final List<String> asked = new CopyOnWriteArrayList<>();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        autoscaler = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        autoscaler.createContext("/clusters/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            asked.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " " + body);
            String path = ex.getRequestURI().getPath();
            String answer;
            int status = 200;
            if (path.endsWith("/history")) {
                answer = "{\"cluster\":\"gpu\",\"current\":2,\"versions\":[" + V2 + "," + V1 + "]}";
            } else if (path.endsWith("/rollback") && body.contains("\"version\":9")) {
                status = 404;
                answer = "{\"error\":\"cluster 'gpu' has no policy version 9; kept: 1 to 2\"}";
            } else {
                answer = V2.replace("\"version\":2", "\"version\":3").replace("}]}", "}],\"rollbackOf\":1}");
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        autoscaler.start();
    }

    @AfterEach
    void stop() {
        autoscaler.stop(0);
    }

    @Test
    void historyPrintsOneLinePerVersionNewestFirst() throws Exception {
        assertEquals(0, cli().run(new String[] {"history", "gpu"}));
        assertEquals(
                List.of(
                        "cluster gpu, version in force: 2",
                        "v2  2026-12-01T10:15:02Z  alice  idle_time_before_scale_down 120 -> 600  (sprint)",
                        "v1  2026-12-01T09:00:00Z  file  max_instances - -> 4"),
                out.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void rollbackSendsTheVersionAndReasonAndAnUnknownVersionFailsWithTheServersSentence() throws Exception {
        assertEquals(0, cli().run(new String[] {"rollback", "gpu", "1", "--reason", "too costly"}));
        assertEquals("POST /clusters/gpu/policy/rollback {\"version\":1,\"reason\":\"too costly\"}", asked.get(0));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("rollback of v1"), out.toString());
        assertEquals(1, cli().run(new String[] {"rollback", "gpu", "9"}));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("refused (404): cluster 'gpu' has no policy version 9"));
        assertEquals(2, cli().run(new String[] {"rollback", "gpu", "latest"}));
    }

    @Test
    void setSendsTheFieldsInTheApisNames() throws Exception {
        assertEquals(0, cli().run(new String[] {"set", "gpu", "--idle", "600", "--reason", "sprint"}));
        assertEquals(
                "PUT /clusters/gpu/policy {\"idle_time_before_scale_down\":600,\"reason\":\"sprint\"}", asked.get(0));
        assertEquals(2, cli().run(new String[] {"set", "gpu", "--idle", "10m"}));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--idle takes a whole number"));
    }

    private PolicyCli cli() {
        return new PolicyCli(
                "http://127.0.0.1:" + autoscaler.getAddress().getPort(),
                "tok",
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
