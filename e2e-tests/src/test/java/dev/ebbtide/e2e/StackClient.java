package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.devsupport.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/** What the end-to-end tests do with a running stack over HTTP: submit, look up, wait for the end. */
final class StackClient {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    private final LocalStack stack;
    private final String token;
    private final String submitter;

    /** @param token the bearer token every request carries */
    StackClient(LocalStack stack, String token) {
        this(stack, token, "job-submitter");
    }

    private StackClient(LocalStack stack, String token, String submitter) {
        this.stack = stack;
        this.token = token;
        this.submitter = submitter;
    }

    /** The same client through another job-submitter instance ({@code job-submitter-2}). */
    StackClient via(String submitterInstance) {
        return new StackClient(stack, token, submitterInstance);
    }

    /** A request with this client's token. */
    HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token);
    }

    String submit(String yaml) throws Exception {
        HttpResponse<String> r = post(yaml);
        assertEquals(201, r.statusCode(), r.body());
        return EventJson.mapper().readTree(r.body()).get("id").asText();
    }

    HttpResponse<String> post(String yaml) throws IOException, InterruptedException {
        return HTTP.send(
                authorized(URI.create(stack.url(submitter) + "/jobs"))
                        .header("Content-Type", "application/yaml")
                        .POST(HttpRequest.BodyPublishers.ofString(yaml))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode job(String jobId) throws Exception {
        return getJson(stack.url(submitter) + "/jobs/" + jobId);
    }

    String stateOf(String jobId) throws Exception {
        JsonNode j = job(jobId);
        return j == null ? null : j.path("state").asText();
    }

    JsonNode awaitTerminal(String jobId, Duration atMost) {
        AtomicReference<JsonNode> job = new AtomicReference<>();
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode j = job(jobId);
            job.set(j);
            return j != null
                    && Set.of("Completed", "Failed", "Canceled")
                            .contains(j.path("state").asText());
        });
        assertNotNull(job.get());
        return job.get();
    }

    /** The nodes a job ran on, in rank order. */
    static List<String> nodes(JsonNode job) {
        List<String> nodes = new ArrayList<>();
        job.path("nodes").forEach(n -> nodes.add(n.asText()));
        return nodes;
    }

    /** A rank's output as its agent wrote it on its node. */
    String rankLog(String node, String jobId, int attempt, int rank) throws IOException {
        return Files.readString(stack.nodesDir()
                .resolve(node)
                .resolve("jobs")
                .resolve(jobId)
                .resolve("attempt-" + attempt)
                .resolve("rank-" + rank + ".log"));
    }

    JsonNode getJson(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(authorized(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? EventJson.mapper().readTree(r.body()) : null;
    }

    int status(String url) {
        try {
            return HTTP.send(authorized(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Whether the submitter knows the cluster (a known one rejects 99 instances for its max, not as unknown). */
    boolean knownToSubmitter(String cluster) throws Exception {
        return post("command: echo\ncompute: azureml:" + cluster + "\nresources: {instance_count: 99}\n")
                        .statusCode()
                == 400;
    }

    /**
     * A directory for marker files a job waits for, where a sandboxed rank (an unprivileged user with its own
     * {@code /tmp}, the stack's state hidden) can read it wherever the clone is: not below {@code /tmp}, not below
     * the repository (a clone under {@code /root} is closed to the job user), so below {@code /var/tmp}, world-readable.
     */
    static Path markerDir(String name) throws IOException {
        Path base = Path.of("/var/tmp/ebbtide-e2e-markers");
        Files.createDirectories(base);
        base.toFile().setReadable(true, false);
        base.toFile().setExecutable(true, false);
        Path dir = base.resolve(name + "-" + ProcessHandle.current().pid());
        deleteTree(dir);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Processes whose command line contains this text (a live process listing). */
    static List<ProcessHandle> processesWith(String text) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").contains(text))
                .toList();
    }

    /**
     * The processes of a job on a node, wherever the agent put the job's folders: those whose environment (read from
     * /proc) names the job and the node, as the agent sets {@code EBBTIDE_JOB_ID} and {@code EBBTIDE_NODE} for each
     * rank (the wrapper outside the sandbox and the command inside).
     */
    static List<ProcessHandle> jobProcesses(String node, String jobId) {
        String job = "EBBTIDE_JOB_ID=" + jobId;
        String on = "EBBTIDE_NODE=" + node;
        return ProcessHandle.allProcesses()
                .filter(h -> {
                    try {
                        List<String> env = List.of(new String(
                                        Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "environ")),
                                        java.nio.charset.StandardCharsets.UTF_8)
                                .split("\0"));
                        return env.contains(job) && env.contains(on);
                    } catch (IOException | RuntimeException e) {
                        return false;
                    }
                })
                .toList();
    }

    /** Processes whose working directory is under this directory (read from /proc). */
    static List<ProcessHandle> processesIn(Path dir) {
        return ProcessHandle.allProcesses()
                .filter(h -> {
                    try {
                        return Files.readSymbolicLink(Path.of("/proc", Long.toString(h.pid()), "cwd"))
                                .startsWith(dir);
                    } catch (IOException | UnsupportedOperationException e) {
                        return false;
                    }
                })
                .toList();
    }
}
