package dev.ebbtide.submitter;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The scheduler's job API as the submitter sees it, on a free port: {@code /jobs/known-*} exist (200), the logs of
 * {@code job-1} are {@link #LOG}, {@code /jobs/forbidden-*} are someone else's (403), anything else is 404 with a
 * sentence. Records the Authorization header and the query
 * of every request so tests can check the caller's token and the query are forwarded. It is the second of two
 * scheduler instances: the first answers 503 to everything, so every test through it also checks that the
 * submitter moves on to the next instance ({@link #UNAVAILABLE_CALLS} counts the calls the broken one got).
 */
public class FakeScheduler implements QuarkusTestResourceLifecycleManager {
    static final byte[] LOG = "rank 0 says héllo\u0000 then goes on\n".getBytes(StandardCharsets.UTF_8);
    static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();
    static final List<String> QUERIES = new CopyOnWriteArrayList<>();
    static final java.util.concurrent.atomic.AtomicInteger UNAVAILABLE_CALLS =
            new java.util.concurrent.atomic.AtomicInteger();
    private HttpServer server;
    private HttpServer unavailable;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            unavailable = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/jobs/", exchange -> {
            AUTHORIZATIONS.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            QUERIES.add(exchange.getRequestURI().getRawQuery());
            String path = exchange.getRequestURI().getPath();
            String id = path.split("/")[2];
            boolean logs = path.equals("/jobs/job-1/logs");
            boolean known = logs || id.startsWith("known-");
            byte[] body = logs
                    ? LOG
                    : (known ? "{\"id\":\"" + id + "\",\"state\":\"Queued\"}" : "{\"error\":\"no job\"}")
                            .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", logs ? "text/plain;charset=UTF-8" : "application/json");
            exchange.getResponseHeaders().add("X-Ebbtide-Job-State", "Running");
            int status = known ? 200 : id.startsWith("forbidden-") ? 403 : 404;
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        unavailable.createContext("/", exchange -> {
            UNAVAILABLE_CALLS.incrementAndGet();
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        unavailable.start();
        return Map.of(
                "ebbtide.scheduler.urls",
                "http://127.0.0.1:" + unavailable.getAddress().getPort() + ",http://127.0.0.1:"
                        + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (unavailable != null) {
            unavailable.stop(0);
        }
    }
}
