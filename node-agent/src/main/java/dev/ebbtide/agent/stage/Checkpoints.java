package dev.ebbtide.agent.stage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.agent.AgentLog;
import dev.ebbtide.agent.plan.RunPlan;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.datastore.Datastores;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A job's checkpoint between attempts (tag {@code ebbtide.checkpoint}). The checkpoint output is uploaded like any
 * output when an attempt's ranks end; beside it, {@code azureml/<job>/checkpoint.json} in the default datastore says
 * which attempt last wrote it and whether its upload is still under way ({@code saving}, written the moment the attempt
 * is told to stop) or done ({@code saved}). A later attempt's staging waits (at most {@link #MAX_WAIT}) while an
 * earlier attempt is still {@code saving}, so it never resumes from a half-uploaded or stale checkpoint when it is
 * placed at once on another node, then downloads the output into its folder.
 */
public final class Checkpoints {
    /** Longer than a Spot notice (30 s) with its upload: a node that died while saving is not waited for longer. */
    public static final Duration MAX_WAIT = Duration.ofSeconds(90);

    private static final Duration POLL = Duration.ofMillis(250);

    private final Datastores stores;
    private final Clock clock;
    private final Duration maxWait;

    public Checkpoints(Datastores stores, Clock clock, Duration maxWait) {
        this.stores = stores;
        this.clock = clock;
        this.maxWait = maxWait;
    }

    public static String markerPath(String jobId) {
        return "azureml/" + jobId + "/checkpoint.json";
    }

    /** The attempt was told to stop: its checkpoint upload follows. Never throws (a failure is logged). */
    public void saving(String jobId, int attempt, String output) {
        mark(jobId, attempt, output, "saving");
    }

    /** The attempt's uploads are over. Never throws (a failure is logged). */
    public void saved(String jobId, int attempt, String output) {
        mark(jobId, attempt, output, "saved");
    }

    /**
     * Downloads the checkpoint into its folder for an attempt after the first, once no earlier attempt is still saving
     * it (or after {@code maxWait}); returns the log line.
     */
    public String restore(RunPlan plan) throws IOException, InterruptedException {
        RunPlan.Checkpoint c = plan.checkpoint();
        Instant giveUp = clock.instant().plus(maxWait);
        JsonNode marker = read(plan.jobId());
        boolean waited = false;
        while (marker != null
                && "saving".equals(marker.path("state").asText())
                && marker.path("attempt").asInt() < plan.attempt()
                && clock.instant().isBefore(giveUp)) {
            waited = true;
            Thread.sleep(POLL.toMillis());
            marker = read(plan.jobId());
        }
        Files.createDirectories(c.hostDir());
        String folder = c.path().isEmpty() || c.path().endsWith("/") ? c.path() : c.path() + "/";
        long files = stores.get(c.datastore()).downloadTree(folder, c.hostDir()).files();
        String from = marker == null
                ? "no earlier attempt saved one"
                : "saved by attempt " + marker.path("attempt").asInt()
                        + ("saving".equals(marker.path("state").asText())
                                ? " (its upload had not finished after " + maxWait.toSeconds() + " s)"
                                : "");
        return "checkpoint " + c.output() + ": " + files + " file(s) restored from " + c.datastore() + ":" + folder
                + ", " + from + (waited ? ", after waiting for its upload" : "");
    }

    private JsonNode read(String jobId) throws IOException {
        try (InputStream in = stores.defaultStore().open(markerPath(jobId))) {
            return EventJson.mapper().readTree(in);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private void mark(String jobId, int attempt, String output, String state) {
        if (stores == null) {
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output", output);
        m.put("attempt", attempt);
        m.put("state", state);
        m.put("at", clock.instant().toString());
        try {
            Datastore store = stores.defaultStore();
            store.put(
                    markerPath(jobId), EventJson.mapper().writeValueAsString(m).getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            AgentLog.warn("job " + jobId + " attempt " + attempt + ": the checkpoint marker could not be written: "
                    + e.getMessage());
        }
    }
}
