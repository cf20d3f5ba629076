package dev.ebbtide.devsupport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.EventJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./ebbtide submit job.yml}: submits a job and follows it until it ends and its cluster is back at its
 * minimum, printing the job's state changes, the cluster's node count and each node's state (a node turns
 * {@code idle} when its agent announces itself) as they happen, then the job's output.
 * {@code ./ebbtide logs JOB_ID [--rank N] [--follow]} prints (or follows) a job's output; {@code ./ebbtide cancel}
 * cancels a job.
 */
public final class EbbtideCli {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final Set<String> TERMINAL = Set.of("Completed", "Failed", "Canceled");
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final String submitter;
    /** Every autoscaler instance: a cluster's nodes are known only to the one that owns it. */
    private final List<String> autoscalers;

    private final String authorization;

    private final String token;

    public EbbtideCli(String submitter, List<String> autoscalers, String token) {
        this.submitter = submitter;
        this.autoscalers = List.copyOf(autoscalers);
        this.authorization = "Bearer " + token;
        this.token = token;
    }

    static final String USAGE =
            "usage: ebbtide submit JOB.yml [--no-follow] | ebbtide logs JOB_ID [--rank N] [--follow]"
                    + " | ebbtide cancel JOB_ID";

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !List.of("submit", "cancel", "logs").contains(args[0])) {
            System.err.println(USAGE);
            System.exit(2);
        }
        EbbtideCli cli =
                new EbbtideCli(env("EBBTIDE_SUBMITTER_URL", "http://127.0.0.1:8081"), autoscalerUrls(), token());
        if (args[0].equals("cancel")) {
            System.exit(cli.cancel(args[1]));
        }
        if (args[0].equals("logs")) {
            System.exit(cli.logs(args));
        }
        boolean follow = !List.of(args).contains("--no-follow");
        System.exit(cli.submit(Path.of(args[1]), follow));
    }

    /**
     * Uploads what the job names on this machine ({@link SubmitUploads}), posts the job and, with {@code follow},
     * follows it to its end.
     */
    public int submit(Path file, boolean follow) throws IOException, InterruptedException {
        if (!Files.isRegularFile(file)) {
            System.err.println("no such file: " + file);
            return 2;
        }
        String yaml;
        try {
            yaml = new SubmitUploads(new LocalUploads(new SubmitterApi(submitter, token), System.out)).prepare(file);
        } catch (SubmitterApi.Failure | java.nio.file.NoSuchFileException e) {
            System.err.println(e instanceof SubmitterApi.Failure ? e.getMessage() : "no such file: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println(e.getMessage()); // a snapshot over its limit, a file that changed: one sentence
            return 1;
        }
        JsonNode body = post("/jobs", HttpRequest.BodyPublishers.ofString(yaml), 201, "rejected");
        if (body == null) {
            return 1;
        }
        String id = body.get("id").asText();
        String cluster = body.get("cluster").asText();
        say("submitted job " + id + " to cluster " + cluster);
        if (!follow) {
            return 0;
        }
        return follow(id, cluster);
    }

    int logs(String[] args) throws IOException, InterruptedException {
        Integer rank = null;
        boolean follow = false;
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--follow") || args[i].equals("-f")) {
                follow = true;
            } else if (args[i].equals("--rank") && i + 1 < args.length && args[i + 1].matches("\\d+")) {
                rank = Integer.valueOf(args[++i]);
            } else {
                System.err.println("unknown or incomplete option '" + args[i] + "' (" + USAGE + ")");
                return 2;
            }
        }
        return new JobLogs(http, submitter, System.out, authorization).run(args[1], rank, follow);
    }

    int cancel(String id) throws IOException, InterruptedException {
        JsonNode body = post("/jobs/" + id + "/cancel", HttpRequest.BodyPublishers.noBody(), 200, "cannot cancel");
        if (body == null) {
            return 1;
        }
        say("job " + id + ": " + body.path("state").asText());
        return 0;
    }

    /** POSTs to the job-submitter; prints the error sentence and returns null unless the status is {@code expected}. */
    private JsonNode post(String path, HttpRequest.BodyPublisher body, int expected, String failure)
            throws IOException, InterruptedException {
        HttpResponse<String> r;
        try {
            r = http.send(
                    HttpRequest.newBuilder(URI.create(submitter + path))
                            .header("Content-Type", "application/yaml")
                            .header("Authorization", authorization)
                            .POST(body)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            System.err.println("cannot reach the job-submitter at " + submitter + " (is the stack up? ./ebbtide up)");
            return null;
        }
        JsonNode json = EventJson.mapper().readTree(r.body());
        if (r.statusCode() != expected) {
            System.err.println(
                    failure + " (" + r.statusCode() + "): " + json.path("error").asText(r.body()));
            return null;
        }
        return json;
    }

    private int follow(String id, String cluster) throws IOException, InterruptedException {
        String lastState = "";
        String lastNodes = "";
        String lastEstimate = "";
        Map<String, String> nodeStates = new HashMap<>();
        JsonNode job = null;
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        int min = 0;
        while (System.nanoTime() < deadline) {
            job = get(submitter + "/jobs/" + id);
            JsonNode c = clusterView(cluster);
            String state = job == null ? "?" : job.path("state").asText();
            if (!state.equals(lastState)) {
                String reason = job.path("reason").asText("");
                say("job " + state + (reason.isEmpty() ? "" : " (" + reason + ")"));
                lastState = state;
            }
            // printed when the position or the basis changes (the estimate itself moves with the clock)
            String estimate = job == null || !job.has("queuePosition")
                    ? ""
                    : job.path("queuePosition").asInt() + " "
                            + job.path("estimateBasis").asText("");
            if (!estimate.isEmpty() && !estimate.equals(lastEstimate)) {
                say("queue position " + job.path("queuePosition").asInt() + ", estimated start "
                        + startText(job.path("estimatedStartAt").asText(null)) + " ("
                        + job.path("estimateBasis").asText("")
                        + ")");
            }
            lastEstimate = estimate;
            if (c != null) {
                min = c.path("spec").path("minInstances").asInt();
                String nodes = c.path("currentNodeCount").asInt() + " node(s) " + c.path("nodeStateCounts");
                if (!nodes.equals(lastNodes)) {
                    say("cluster " + cluster + ": " + nodes);
                    lastNodes = nodes;
                }
                announce(c.path("nodes"), nodeStates);
                if (TERMINAL.contains(state) && c.path("currentNodeCount").asInt() <= min) {
                    break;
                }
            }
            Thread.sleep(250);
        }
        if (job != null && TERMINAL.contains(job.path("state").asText())) {
            say("job " + job.path("state").asText() + ", exit code "
                    + job.path("exitCode").asText("?") + "; outputs, artifacts and logs: ./ebbtide download " + id
                    + " (on the node until it goes: "
                    + job.path("outputLocation").asText("-") + ")");
            if (new JobLogs(http, submitter, System.out, authorization)
                            .printEnd(id, job.path("instanceCount").asInt(1), 10)
                    == 0) {
                System.out.println(
                        "    (no output yet; ./ebbtide logs " + id + " shows it once the agents have sent it)");
            }
            return job.path("state").asText().equals("Completed") ? 0 : 1;
        }
        return 1;
    }

    /** Prints each node's state change; {@code preparing → idle} is its agent announcing itself. */
    private static void announce(JsonNode nodes, Map<String, String> known) {
        Set<String> seen = new HashSet<>();
        for (JsonNode n : nodes) {
            String name = n.path("name").asText();
            String state = n.path("state").asText();
            seen.add(name);
            String before = known.put(name, state);
            if (!state.equals(before)) {
                String why = "idle".equals(state) && "preparing".equals(before) ? " (its agent announced itself)" : "";
                say("node " + name + ": " + (before == null ? "" : before + " -> ") + state + why);
            }
        }
        known.keySet().removeIf(name -> {
            if (!seen.contains(name)) {
                say("node " + name + ": gone");
                return true;
            }
            return false;
        });
    }

    /**
     * The cluster as its owning autoscaler instance sees it (with one instance, that one); null while no live instance
     * owns it (a takeover in progress).
     */
    private JsonNode clusterView(String cluster) throws InterruptedException {
        for (String url : autoscalers) {
            JsonNode c = get(url + "/clusters/" + cluster);
            if (c != null && c.path("ownedHere").asBoolean(true)) {
                return c;
            }
        }
        return null;
    }

    /**
     * {@code EBBTIDE_AUTOSCALER_URL} if set; else every autoscaler instance the local stack listed in
     * {@code <state>/run/instances} ({@code ./ebbtide up --replicas N}); else the default port.
     */
    static List<String> autoscalerUrls() throws IOException {
        String env = System.getenv("EBBTIDE_AUTOSCALER_URL");
        if (env != null && !env.isBlank()) {
            return List.of(env);
        }
        return autoscalerUrls(Path.of(env("EBBTIDE_KEYS_DIR", ".ebbtide/keys"))
                .toAbsolutePath()
                .getParent()
                .resolve("run")
                .resolve("instances"));
    }

    /** The autoscaler instances' URLs in a {@code run/instances} file (name, URL, pid per line); else the default. */
    static List<String> autoscalerUrls(Path instances) throws IOException {
        List<String> urls = Files.isRegularFile(instances)
                ? Files.readAllLines(instances).stream()
                        .map(l -> l.trim().split("\\s+"))
                        .filter(f -> f.length >= 2 && f[0].startsWith("autoscaler"))
                        .map(f -> f[1])
                        .toList()
                : List.of();
        return urls.isEmpty() ? List.of("http://127.0.0.1:8083") : urls;
    }

    private JsonNode get(String url) throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .header("Authorization", authorization)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? EventJson.mapper().readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** "now", "in ~N s (at HH:mm:ss)" or "unknown", in the same local time as the lines it is printed among. */
    static String startText(String isoInstant) {
        if (isoInstant == null) {
            return "unknown";
        }
        java.time.Instant at = java.time.Instant.parse(isoInstant);
        long seconds = java.time.Duration.between(java.time.Instant.now(), at).toSeconds();
        if (seconds <= 0) {
            return "now";
        }
        return "in ~" + seconds + " s (at " + TIME.format(at.atZone(java.time.ZoneId.systemDefault())) + ")";
    }

    private static void say(String line) {
        System.out.println(LocalTime.now().format(TIME) + "  " + line);
    }

    /** EBBTIDE_TOKEN if set, else an operator token for this user minted from the local stack's key. */
    static String token() throws IOException {
        String given = System.getenv("EBBTIDE_TOKEN");
        if (given != null && !given.isBlank()) {
            return given.trim();
        }
        Path keys = Path.of(env("EBBTIDE_KEYS_DIR", ".ebbtide/keys"));
        if (!Files.exists(keys.resolve("private.pem"))) {
            System.err.println(
                    "no token: set EBBTIDE_TOKEN, or start the local stack (./ebbtide up creates " + keys + ")");
            System.exit(2);
        }
        return DevTokens.localToken(
                keys, System.getProperty("user.name", "local-user"), Duration.ofHours(1), "operator");
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
