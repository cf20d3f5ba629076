package dev.ebbtide.console.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ebbtide.console.config.ConsoleConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The services' REST APIs, called with the user's own bearer token (the console is a backend-for-frontend: it keeps
 * no state and decides no access; each API enforces its roles as it does for the CLI). Blocking: call from worker
 * threads only.
 */
@ApplicationScoped
public class Services {
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @Inject
    ConsoleConfig config;

    /** An API's answer that is not 2xx: its status and its one-sentence error (the API's own words). */
    public static final class ApiException extends RuntimeException {
        private final int status;

        public ApiException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public String submitter() {
        return config.jobSubmitterUrl();
    }

    public String scheduler() {
        return config.schedulerUrl();
    }

    public String autoscaler() {
        return config.autoscalerUrl();
    }

    /** GET a JSON object. */
    public Map<String, Object> object(String token, String url) {
        return read(send(token, HttpRequest.newBuilder(URI.create(url)).GET()), new TypeReference<>() {});
    }

    /** GET a JSON array. */
    public List<Map<String, Object>> list(String token, String url) {
        return read(send(token, HttpRequest.newBuilder(URI.create(url)).GET()), new TypeReference<>() {});
    }

    /** GET text (logs). */
    public String text(String token, String url) {
        return send(token, HttpRequest.newBuilder(URI.create(url)).GET());
    }

    /** POST or PUT a body; the answer as a JSON object. */
    public Map<String, Object> write(String token, String method, String url, String contentType, String body) {
        String answer = send(
                token,
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", contentType)
                        .method(method, HttpRequest.BodyPublishers.ofString(body)));
        return answer.isBlank() ? Map.of() : read(answer, new TypeReference<>() {});
    }

    /** A download, streamed: status, content type, content disposition and the body. */
    public record Download(int status, String contentType, String disposition, InputStream body) {}

    public Download stream(String token, String url) {
        try {
            HttpResponse<InputStream> r = http.send(
                    authorized(token, HttpRequest.newBuilder(URI.create(url)).GET()),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() / 100 != 2) {
                String error;
                try (InputStream in = r.body()) {
                    error = message(r.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                throw new ApiException(r.statusCode(), error);
            }
            return new Download(
                    r.statusCode(),
                    r.headers().firstValue("Content-Type").orElse("application/octet-stream"),
                    r.headers().firstValue("Content-Disposition").orElse(null),
                    r.body());
        } catch (IOException e) {
            throw new ApiException(502, "could not reach " + URI.create(url).getAuthority() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted");
        }
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private String send(String token, HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(authorized(token, request), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new ApiException(r.statusCode(), message(r.statusCode(), r.body()));
            }
            return r.body();
        } catch (IOException e) {
            throw new ApiException(
                    502, "could not reach " + request.build().uri().getAuthority() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted");
        }
    }

    private static HttpRequest authorized(String token, HttpRequest.Builder request) {
        return request.timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token)
                .build();
    }

    /** The API's own sentence when it gave one ({@code {"error": …}} or plain text), else the status. */
    static String message(int status, String body) {
        if (body != null && body.trim().startsWith("{")) {
            try {
                Map<String, Object> m = JSON.readValue(body, new TypeReference<Map<String, Object>>() {});
                for (String k : List.of("error", "message", "details", "title")) {
                    if (m.get(k) instanceof String s && !s.isBlank()) {
                        return s;
                    }
                }
            } catch (IOException ignored) {
                // not JSON after all: fall through
            }
        }
        if (body != null
                && !body.isBlank()
                && body.length() < 500
                && !body.trim().startsWith("<")) {
            return body.trim();
        }
        return switch (status) {
            case 401 -> "your token was not accepted (expired?): log in again";
            case 403 -> "your role may not do this";
            case 404 -> "not found";
            default -> "the service answered " + status;
        };
    }

    private static <T> T read(String body, TypeReference<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
