package dev.ebbtide.autoscaler.whatif;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the scheduler's {@code GET /clusters/{name}/trace} (its real output is tested in the scheduler's
 * TraceResourceTest): a trace of one-node jobs every 5 minutes; 403 for the cluster {@code refused}.
 */
public class StubScheduler implements QuarkusTestResourceLifecycleManager {
    /** Each request: path, query and Authorization header. */
    public static final List<String> REQUESTS = new CopyOnWriteArrayList<>();

    public static final int JOBS = 20;
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/clusters/", ex -> {
            String path = ex.getRequestURI().getPath();
            REQUESTS.add(path + "?" + ex.getRequestURI().getQuery() + " "
                    + ex.getRequestHeaders().getFirst("Authorization"));
            if (path.contains("/refused/")) {
                ex.sendResponseHeaders(403, -1);
                ex.close();
                return;
            }
            String cluster = path.split("/")[2];
            StringBuilder csv = new StringBuilder("job_id,submit_s,duration_s,nodes,gpus,queue,status\n");
            for (int i = 0; i < JOBS; i++) {
                csv.append("j")
                        .append(i)
                        .append(',')
                        .append(i * 300)
                        .append(",60,1,,")
                        .append(cluster)
                        .append(",Completed\n");
            }
            byte[] body = csv.toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/csv");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        // a scheduler instance that is down comes first: what-if must reach the live one
        return Map.of(
                "ebbtide.scheduler.urls",
                "http://127.0.0.1:" + deadPort() + ",http://127.0.0.1:"
                        + server.getAddress().getPort());
    }

    /** A port nothing listens on (bound, then released). */
    private static int deadPort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        server.stop(0);
    }
}
