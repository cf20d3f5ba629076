package dev.ebbtide.devsupport;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code ./ebbtide download JOB_ID [--output NAME] [--to DIR]}: every file of a job's outputs and artifacts (or of one
 * of them) to {@code DIR/<name>/<path>} ({@code DIR} defaults to {@code ./<job-id>/}), one line per file.
 */
final class OutputsDownload {
    private final SubmitterApi api;
    private final PrintStream out;

    OutputsDownload(SubmitterApi api, PrintStream out) {
        this.api = api;
        this.out = out;
    }

    int run(String jobId, String only, Path dir) throws IOException, SubmitterApi.Failure {
        String job = SubmitterApi.encode(jobId);
        JsonNode outputs = api.get("/jobs/" + job + "/outputs").path("outputs");
        if (only != null && !outputs.has(only)) {
            java.util.List<String> names = new java.util.ArrayList<>();
            outputs.fieldNames().forEachRemaining(names::add);
            throw new SubmitterApi.Failure(
                    "job " + jobId + " has no output named '" + only + "' (it has: " + String.join(", ", names) + ")");
        }
        Path base = dir.toAbsolutePath().normalize();
        int files = 0;
        long bytes = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = outputs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> output = it.next();
            if (only != null && !only.equals(output.getKey())) {
                continue;
            }
            for (JsonNode item : output.getValue().path("items")) {
                String path = item.path("path").asText();
                Path target = base.resolve(output.getKey()).resolve(path).normalize();
                if (!target.startsWith(base.resolve(output.getKey()))) {
                    throw new SubmitterApi.Failure("the job-submitter listed '" + path + "', which would leave " + dir
                            + "; nothing more downloaded");
                }
                Files.createDirectories(target.getParent());
                long size = api.download(
                        "/jobs/" + job + "/outputs/" + SubmitterApi.encode(output.getKey()) + "/"
                                + SubmitterApi.encodePath(path),
                        target);
                out.println("  " + base.relativize(target) + "  " + LocalUploads.human(size));
                files++;
                bytes += size;
            }
        }
        out.println("downloaded " + files + " file(s), " + LocalUploads.human(bytes) + " to " + dir);
        return 0;
    }
}
