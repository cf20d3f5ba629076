package dev.ebbtide.datastore;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a job's outputs went: written by the node agents of the job once their uploads end (each node merges its
 * entries in), read by {@code GET /jobs/{id}/outputs}, {@code ./ebbtide download} and by a later job's
 * {@code azureml://jobs/<job>/outputs/<name>} input. Stored in the default datastore at
 * {@code azureml/<job>/outputs.json}.
 *
 * @param jobId     the job
 * @param outputs   output name → {@code azureml://datastores/<ds>/paths/<p>/}
 * @param artifacts {@code azureml://datastores/workspaceblobstore/paths/azureml/<job>/artifacts/}: the working
 *                  directory's {@code outputs/} and {@code logs/}, and {@code user_logs/std_log_rank_<r>.txt}
 */
public record OutputsManifest(String jobId, Map<String, String> outputs, String artifacts) {
    /** The name the outputs API and {@code ./ebbtide download} give the artifacts, beside the outputs' names. */
    public static final String ARTIFACTS = "artifacts";

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public OutputsManifest {
        outputs = outputs == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(outputs));
    }

    /** The manifest's path in the default datastore. */
    public static String path(String jobId) {
        return "azureml/" + jobId + "/outputs.json";
    }

    /** The artifacts prefix of a job in the default datastore. */
    public static String artifactsPath(String jobId) {
        return "azureml/" + jobId + "/artifacts/";
    }

    /** {@code azureml://datastores/workspaceblobstore/paths/azureml/<job>/artifacts/}. */
    public static String defaultArtifacts(String jobId) {
        return "azureml://datastores/" + dev.ebbtide.common.data.DataUri.DEFAULT_DATASTORE + "/paths/"
                + artifactsPath(jobId);
    }

    /** Writes this manifest as it is, replacing what was stored (tests; agents {@link #merge}). */
    public void write(Datastore store) throws IOException {
        store.put(path(jobId), JSON.writeValueAsBytes(this));
    }

    /** The job's manifest, or empty when no node has finished uploading yet. */
    public static Optional<OutputsManifest> read(Datastore store, String jobId) throws IOException {
        try {
            return Optional.of(JSON.readValue(store.read(path(jobId)), OutputsManifest.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Merges this manifest into the stored one (a node adds its outputs to what other nodes wrote). Nodes of one job
     * write the same names and paths, so a lost race between two writers loses nothing.
     */
    public void merge(Datastore store) throws IOException {
        Map<String, String> all = new LinkedHashMap<>();
        read(store, jobId).ifPresent(m -> all.putAll(m.outputs()));
        all.putAll(outputs);
        store.put(path(jobId), JSON.writeValueAsBytes(new OutputsManifest(jobId, all, artifacts)));
    }
}
