package dev.ebbtide.devsupport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.EventJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The job-submitter's data endpoints as the CLI calls them: each call answers the status and body, or throws
 * {@link Failure} with the one sentence to print (the server's {@code error}, or why it could not be reached).
 */
public final class SubmitterApi {
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final String base;
    private final String authorization;

    public SubmitterApi(String base, String token) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.authorization = "Bearer " + token;
    }

    /** A sentence for the user; the CLI prints it and exits non-zero. */
    public static final class Failure extends Exception {
        public Failure(String sentence) {
            super(sentence);
        }
    }

    /** True for 200, false for 404; any other answer is a {@link Failure}. */
    public boolean exists(String path) throws Failure {
        HttpResponse<byte[]> r = send(request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() == 200 || r.statusCode() == 404) {
            return r.statusCode() == 200;
        }
        throw failure(r);
    }

    public JsonNode put(String path, Path file, String contentType) throws Failure {
        try {
            return json(send(
                    request(path).header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofFile(file))));
        } catch (java.io.FileNotFoundException e) {
            throw new Failure("no such file: " + file);
        }
    }

    public JsonNode post(String path, String body, String contentType) throws Failure {
        return json(send(
                request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body))));
    }

    public JsonNode get(String path) throws Failure {
        return json(send(request(path).GET()));
    }

    /** Downloads to a file (replaced whole); returns its size. */
    public long download(String path, Path file) throws Failure, IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".part");
        HttpResponse<Path> r;
        try {
            r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofFile(temp));
        } catch (IOException e) {
            java.nio.file.Files.deleteIfExists(temp);
            throw unreachable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        if (r.statusCode() != 200) {
            byte[] body = java.nio.file.Files.readAllBytes(temp);
            java.nio.file.Files.deleteIfExists(temp);
            throw failure(r.statusCode(), body);
        }
        java.nio.file.Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return java.nio.file.Files.size(file);
    }

    /** Each segment of a {@code /}-separated path percent-encoded (spaces as %20). */
    public static String encodePath(String path) {
        List<String> parts = new ArrayList<>();
        for (String s : path.split("/", -1)) {
            parts.add(URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return String.join("/", parts);
    }

    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", authorization);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws Failure {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw unreachable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
    }

    private Failure unreachable() {
        return new Failure("cannot reach the job-submitter at " + base + " (is the stack up? ./ebbtide up)");
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws Failure {
        if (r.statusCode() / 100 != 2) {
            throw failure(r);
        }
        try {
            return EventJson.mapper().readTree(r.body());
        } catch (IOException e) {
            throw new Failure("the job-submitter answered something that is not JSON (HTTP " + r.statusCode() + ")");
        }
    }

    private static Failure failure(HttpResponse<byte[]> r) {
        return failure(r.statusCode(), r.body());
    }

    private static Failure failure(int status, byte[] body) {
        String error = null;
        try {
            error = EventJson.mapper().readTree(body).path("error").asText(null);
        } catch (IOException | RuntimeException e) {
            // not JSON: the status says it
        }
        return new Failure(
                error != null ? error + " (HTTP " + status + ")" : "the job-submitter answered HTTP " + status);
    }
}
