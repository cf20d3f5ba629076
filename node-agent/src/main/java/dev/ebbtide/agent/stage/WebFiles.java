package dev.ebbtide.agent.stage;

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

/** A plain {@code https://} input, fetched into one file with the JDK's HTTP client (redirects followed). */
public final class WebFiles {
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();

    /** Downloads {@code url} to {@code file}; a 404 is {@link NoSuchFileException}, other failures one sentence. */
    public void download(String url, Path file) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), ".download-", ".part");
        try {
            HttpResponse<Path> r = http.send(
                    HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofFile(temp));
            if (r.statusCode() == 404 || r.statusCode() == 410) {
                throw new NoSuchFileException(url);
            }
            if (r.statusCode() / 100 != 2) {
                throw new IOException(url + " answered HTTP " + r.statusCode());
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + url);
        } catch (IllegalArgumentException e) {
            throw new IOException(url + " is not a URL Ebbtide can download");
        } catch (java.net.ConnectException e) {
            throw new IOException(url + " could not be reached (" + e.getClass().getSimpleName() + ")");
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
