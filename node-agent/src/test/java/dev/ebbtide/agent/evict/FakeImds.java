package dev.ebbtide.agent.evict;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test support: Azure's instance metadata service for Scheduled Events on a loopback port. Serves the document set
 * with {@link #serve}, records every acknowledgement ({@code POST}) body, and answers 400 without the
 * {@code Metadata: true} header, as IMDS does.
 */
public final class FakeImds implements AutoCloseable {
    public static final String EMPTY = "{\"DocumentIncarnation\":0,\"Events\":[]}";

    private final HttpServer server;
    private volatile String document = EMPTY;
    public final List<String> acks = new CopyOnWriteArrayList<>();
    public final List<String> requests = new CopyOnWriteArrayList<>();

    public FakeImds() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metadata/scheduledevents", this::handle);
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void serve(String doc) {
        document = doc;
    }

    private void handle(HttpExchange x) throws IOException {
        requests.add(x.getRequestMethod() + " " + x.getRequestURI());
        if (!"true".equals(x.getRequestHeaders().getFirst("Metadata"))) {
            reply(x, 400, "{\"error\":\"Bad request. Required metadata header not specified\"}");
            return;
        }
        if ("POST".equals(x.getRequestMethod())) {
            acks.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            reply(x, 200, "");
        } else {
            reply(x, 200, document);
        }
    }

    private static void reply(HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            x.getResponseBody().write(b);
        }
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
