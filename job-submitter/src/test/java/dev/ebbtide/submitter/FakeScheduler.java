package dev.ebbtide.submitter;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The scheduler's job API as the submitter sees it: {@code /jobs/known-*} exist (200), anything else is 404. Records
 * the Authorization header of every request so tests can check the caller's token is forwarded.
 */
public class FakeScheduler implements QuarkusTestResourceLifecycleManager {
    static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/jobs/", exchange -> {
            AUTHORIZATIONS.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            String id = exchange.getRequestURI().getPath().split("/")[2];
            boolean known = id.startsWith("known-");
            byte[] body = (known ? "{\"id\":\"" + id + "\",\"state\":\"Queued\"}" : "{\"error\":\"no job\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(known ? 200 : 404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return Map.of("quarkus.rest-client.scheduler.url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        server.stop(0);
    }
}
