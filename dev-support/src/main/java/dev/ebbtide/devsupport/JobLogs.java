package dev.ebbtide.devsupport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code ./ebbtide logs JOB_ID [--rank N] [--follow]}: a job's output through the job-submitter's
 * {@code GET /jobs/{id}/logs}. Following asks each rank again from the byte offset already read, until the job has
 * ended and no more output arrives.
 */
final class JobLogs {
    static final Set<String> TERMINAL = Set.of("Completed", "Failed", "Canceled");
    private final HttpClient http;
    private final String submitter;
    private final PrintStream out;
    private final String authorization;

    /** @param authorization the {@code Authorization} header value sent with every request */
    JobLogs(HttpClient http, String submitter, PrintStream out, String authorization) {
        this.http = http;
        this.submitter = submitter;
        this.out = out;
        this.authorization = authorization;
    }

    /** One rank's output being followed: bytes read so far and the incomplete last line. */
    private static final class Follower {
        final Integer rank;
        long offset;
        final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        Follower(Integer rank) {
            this.rank = rank;
        }
    }

    int run(String id, Integer rank, boolean follow) throws IOException, InterruptedException {
        JsonNode job = job(id);
        if (job == null) {
            return 1;
        }
        if (!follow) {
            byte[] text = fetch(id, rank, 0);
            if (text == null) {
                return 1;
            }
            out.write(text);
            out.flush();
            return 0;
        }
        List<Follower> followers = new ArrayList<>();
        int ranks = job.path("instanceCount").asInt(1);
        if (rank != null) {
            followers.add(new Follower(rank));
        } else {
            for (int r = 0; r < ranks; r++) {
                followers.add(new Follower(r));
            }
        }
        int quietAfterEnd = 0;
        while (quietAfterEnd < 4) { // output may arrive shortly after the job's end: 4 quiet polls after it
            boolean ended = TERMINAL.contains(job.path("state").asText());
            boolean any = false;
            for (Follower f : followers) {
                any |= poll(id, f, rank == null);
            }
            quietAfterEnd = ended && !any ? quietAfterEnd + 1 : 0;
            Thread.sleep(500);
            JsonNode now = job(id);
            job = now == null ? job : now;
        }
        for (Follower f : followers) {
            flushPartial(f, rank == null);
        }
        return 0;
    }

    /**
     * Prints every rank's output of the latest attempt, at most {@code maxLines} lines each, as "rank-N.log | …".
     *
     * @return how many lines were printed
     */
    int printEnd(String id, int ranks, int maxLines) throws IOException, InterruptedException {
        int printed = 0;
        for (int r = 0; r < ranks; r++) {
            byte[] text = fetch(id, r, 0);
            if (text == null || text.length == 0) {
                continue;
            }
            String[] lines = new String(text, StandardCharsets.UTF_8).split("\n", -1);
            int n = lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
            for (int i = 0; i < Math.min(n, maxLines); i++) {
                out.println("    rank-" + r + ".log | " + lines[i]);
                printed++;
            }
            if (n > maxLines) {
                out.println("    rank-" + r + ".log | … " + (n - maxLines) + " more line(s): ./ebbtide logs " + id
                        + " --rank " + r);
            }
        }
        return printed;
    }

    private boolean poll(String id, Follower f, boolean prefix) throws IOException, InterruptedException {
        byte[] text = fetch(id, f.rank, f.offset);
        if (text == null || text.length == 0) {
            return false;
        }
        f.offset += text.length;
        for (byte b : text) {
            if (b == '\n') {
                line(f, prefix);
            } else {
                f.partial.write(b);
            }
        }
        return true;
    }

    private void flushPartial(Follower f, boolean prefix) {
        if (f.partial.size() > 0) {
            line(f, prefix);
        }
    }

    private void line(Follower f, boolean prefix) {
        String line = f.partial.toString(StandardCharsets.UTF_8);
        f.partial.reset();
        out.println(prefix ? "rank-" + f.rank + ".log | " + line : line);
    }

    private byte[] fetch(String id, Integer rank, long offset) throws IOException, InterruptedException {
        String query = "?offset=" + offset + (rank == null ? "" : "&rank=" + rank);
        HttpResponse<byte[]> r = send(submitter + "/jobs/" + id + "/logs" + query);
        if (r == null) {
            return null;
        }
        if (r.statusCode() != 200) {
            System.err.println("cannot read the logs (" + r.statusCode() + "): " + error(r.body()));
            return null;
        }
        return r.body();
    }

    private JsonNode job(String id) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = send(submitter + "/jobs/" + id);
        if (r == null) {
            return null;
        }
        if (r.statusCode() != 200) {
            System.err.println("no such job (" + r.statusCode() + "): " + error(r.body()));
            return null;
        }
        return EventJson.mapper().readTree(r.body());
    }

    private HttpResponse<byte[]> send(String url) throws InterruptedException {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .header("Authorization", authorization)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            System.err.println("cannot reach the job-submitter at " + submitter + " (is the stack up? ./ebbtide up)");
            return null;
        }
    }

    private static String error(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            return EventJson.mapper().readTree(text).path("error").asText(text);
        } catch (IOException e) {
            return text;
        }
    }
}
