package dev.ebbtide.submitter;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A stand-in scheduler on a free port: answers a job's logs for {@code job-1}, 404 with a sentence otherwise. */
public class FakeScheduler implements QuarkusTestResourceLifecycleManager {
    static final byte[] LOG = "rank 0 says héllo\u0000 then goes on\n".getBytes(StandardCharsets.UTF_8);
    static final List<String> QUERIES = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/jobs/", exchange -> {
            QUERIES.add(exchange.getRequestURI().getRawQuery());
            boolean known = exchange.getRequestURI().getPath().equals("/jobs/job-1/logs");
            byte[] body = known ? LOG : "{\"error\":\"no job\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", known ? "text/plain;charset=UTF-8" : "application/json");
            exchange.getResponseHeaders().add("X-Ebbtide-Job-State", "Running");
            exchange.sendResponseHeaders(known ? 200 : 404, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return Map.of("quarkus.rest-client.scheduler.url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
