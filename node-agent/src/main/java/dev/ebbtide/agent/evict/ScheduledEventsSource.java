package dev.ebbtide.agent.evict;

import dev.ebbtide.common.azure.ScheduledEvents;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Where the agent reads Scheduled Events and sends its acknowledgement: Azure's instance metadata service, or (this
 * machine as a cloud) a file holding the same document, with the acknowledgement written beside it.
 */
public sealed interface ScheduledEventsSource {

    /** The current document ({@code {"Events":[]}} when there is none). */
    String fetch() throws IOException;

    /** Sends a {@code StartRequests} body. */
    void acknowledge(String body) throws IOException;

    /** What it reads, for the log. */
    String describe();

    /** The instance metadata service at {@code endpoint} (e.g. {@code http://169.254.169.254}), header {@code Metadata: true}. */
    record Imds(String endpoint) implements ScheduledEventsSource {
        private static final HttpClient HTTP =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        @Override
        public String fetch() throws IOException {
            return send(HttpRequest.newBuilder(uri()).GET());
        }

        @Override
        public void acknowledge(String body) throws IOException {
            send(HttpRequest.newBuilder(uri())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
        }

        private URI uri() {
            return URI.create(endpoint + ScheduledEvents.PATH);
        }

        private static String send(HttpRequest.Builder b) throws IOException {
            try {
                HttpResponse<String> r = HTTP.send(
                        b.header("Metadata", "true")
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 != 2) {
                    throw new IOException("HTTP " + r.statusCode());
                }
                return r.body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }

        @Override
        public String describe() {
            return endpoint + ScheduledEvents.PATH;
        }
    }

    /**
     * A file with the document (no file = no event); the acknowledgement goes to {@code <file>.ack}, replacing what was
     * there. The local provider writes the one and reads the other.
     */
    record File(Path file) implements ScheduledEventsSource {
        public Path ackFile() {
            return file.resolveSibling(file.getFileName() + ".ack");
        }

        @Override
        public String fetch() throws IOException {
            try {
                return Files.readString(file);
            } catch (NoSuchFileException e) {
                return "{\"DocumentIncarnation\":0,\"Events\":[]}";
            }
        }

        @Override
        public void acknowledge(String body) throws IOException {
            Path tmp = ackFile().resolveSibling(ackFile().getFileName() + ".tmp");
            Files.writeString(tmp, body);
            Files.move(tmp, ackFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        @Override
        public String describe() {
            return file.toString();
        }
    }
}
