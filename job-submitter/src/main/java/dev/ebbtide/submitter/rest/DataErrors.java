package dev.ebbtide.submitter.rest;

import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.datastore.CodeSnapshot;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The data endpoints' answers to what the datastore module throws, each one sentence: a bad path or document 400, a
 * missing blob 404, an existing name 409, over a limit 413, the storage failing 502 (the datastore's sentences never
 * hold a secret). Also receives upload bodies into a temporary file within the upload limit.
 */
final class DataErrors {
    private DataErrors() {}

    /** A call that answers a response or throws what the datastore module throws. */
    interface Call {
        Response call() throws IOException;
    }

    static Response guard(Call call) {
        try {
            return call.call();
        } catch (WebApplicationException e) {
            throw e;
        } catch (IllegalArgumentException | InvalidSpecException e) {
            return error(Response.Status.BAD_REQUEST, firstLine(e.getMessage()));
        } catch (NoSuchFileException e) {
            return error(Response.Status.NOT_FOUND, notFound(e));
        } catch (FileAlreadyExistsException e) {
            return error(Response.Status.CONFLICT, e.getMessage());
        } catch (CodeSnapshot.SnapshotTooLargeException e) {
            return error(Response.Status.REQUEST_ENTITY_TOO_LARGE, e.getMessage());
        } catch (IOException e) {
            return error(Response.Status.BAD_GATEWAY, firstLine(e.getMessage()));
        }
    }

    static Response error(Response.Status status, String sentence) {
        return RequestLimits.error(status, sentence);
    }

    static WebApplicationException refused(Response.Status status, String sentence) {
        return new WebApplicationException(error(status, sentence));
    }

    /**
     * Copies a request body to a temporary file, refusing it (413) once it passes {@code max} bytes (a chunked body
     * has no Content-Length for {@link BodyTooLarge} to check). The caller deletes the file.
     */
    static Path receive(InputStream body, long max) throws IOException {
        Path temp = Files.createTempFile("ebbtide-upload-", ".part");
        try (InputStream in = body;
                OutputStream out = Files.newOutputStream(temp)) {
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > max) {
                    throw refused(
                            Response.Status.REQUEST_ENTITY_TOO_LARGE,
                            "the upload is larger than the limit of " + max
                                    + " bytes (ebbtide.datastore.max-upload-size)");
                }
                out.write(buf, 0, n);
            }
            return temp;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    private static String notFound(NoSuchFileException e) {
        return e.getReason() == null ? "no such file: " + e.getFile() : e.getReason() + ": " + e.getFile();
    }

    private static String firstLine(String message) {
        return message == null
                ? "the request failed"
                : message.lines().findFirst().orElse(message).strip();
    }
}
