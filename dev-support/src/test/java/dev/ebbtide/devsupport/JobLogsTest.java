package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ./ebbtide logs --follow} against a stand-in job-submitter whose job writes output, then ends. */
class JobLogsTest {
    private static final byte[] RANK0 =
            "step 1\nstep 2 héllo\nlast line without break".getBytes(StandardCharsets.UTF_8);
    private HttpServer server;
    private final AtomicInteger jobPolls = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jobs/j", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            if (path.equals("/jobs/j")) {
                String state = jobPolls.incrementAndGet() < 3 ? "Running" : "Completed";
                body = ("{\"id\":\"j\",\"state\":\"" + state + "\",\"instanceCount\":2}")
                        .getBytes(StandardCharsets.UTF_8);
            } else {
                Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
                // the job writes its output over time: each poll sees a few more bytes of rank 0
                int visible = Math.min(RANK0.length, jobPolls.get() * 10);
                byte[] all = "0".equals(q.get("rank"))
                        ? java.util.Arrays.copyOf(RANK0, visible)
                        : "one\n".getBytes(StandardCharsets.UTF_8);
                int offset = Integer.parseInt(q.getOrDefault("offset", "0"));
                body = offset >= all.length ? new byte[0] : java.util.Arrays.copyOfRange(all, offset, all.length);
            }
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void followingPrintsEachRanksLinesOnceWithItsNameUntilTheJobEnds() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        JobLogs logs = new JobLogs(
                HttpClient.newHttpClient(),
                "http://127.0.0.1:" + server.getAddress().getPort(),
                out,
                "Bearer t");
        assertEquals(0, logs.run("j", null, true));
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(
                java.util.List.of(
                        "rank-0.log | step 1", "rank-0.log | step 2 héllo", "rank-0.log | last line without break"),
                printed.lines().filter(l -> l.startsWith("rank-0")).toList(),
                "every line once, in order, the unfinished last one at the end");
        assertEquals(
                java.util.List.of("rank-1.log | one"),
                printed.lines().filter(l -> l.startsWith("rank-1")).toList());
        assertEquals(4, printed.lines().count());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new java.util.HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                String[] p = kv.split("=", 2);
                q.put(p[0], p.length > 1 ? p[1] : "");
            }
        }
        return q;
    }
}
