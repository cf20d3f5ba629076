package dev.ebbtide.datastore;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ebbtide.common.data.DataUri;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a job's outputs went: {@code azureml/<job>/outputs.json} in the default datastore, written (merged) by the node
 * agent when all uploads of a node have ended, read by {@code GET /jobs/{id}/outputs} and {@code ./ebbtide download}.
 *
 * <pre>{@code
 * {"jobId": "…",
 *  "outputs": {"x": "azureml://datastores/<ds>/paths/<p>/"},
 *  "artifacts": "azureml://datastores/workspaceblobstore/paths/azureml/<job>/artifacts/"}
 * }</pre>
 *
 * The artifacts folder holds {@code outputs/…} (the working directory's {@code ./outputs}), {@code logs/…}
 * ({@code ./logs}) and {@code user_logs/std_log_rank_<r>.txt}.
 *
 * @param outputs output name → datastore URI of its folder (sorted by name)
 * @param artifacts datastore URI of the artifacts folder, or null when none were uploaded
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutputsManifest(String jobId, Map<String, String> outputs, String artifacts) {
    /** The name clients use for the artifacts folder next to output names. */
    public static final String ARTIFACTS = "artifacts";

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public OutputsManifest {
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("an outputs manifest needs the job's id");
        }
        outputs = outputs == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(outputs));
    }

    /** {@code azureml/<job>/outputs.json}, in the default datastore. */
    public static String blobPath(String jobId) {
        return BlobPaths.check("azureml/" + jobId + "/outputs.json");
    }

    /** {@code azureml://datastores/workspaceblobstore/paths/azureml/<job>/artifacts/}. */
    public static String defaultArtifacts(String jobId) {
        return new DataUri.Datastore(DataUri.DEFAULT_DATASTORE, "azureml/" + jobId + "/" + ARTIFACTS + "/").toString();
    }

    /** This manifest with {@code other}'s outputs added (other wins on a name both have) and its artifacts if set. */
    public OutputsManifest merge(OutputsManifest other) {
        if (!jobId.equals(other.jobId())) {
            throw new IllegalArgumentException(
                    "cannot merge the outputs of job " + other.jobId() + " into those of job " + jobId);
        }
        Map<String, String> all = new TreeMap<>(outputs);
        all.putAll(other.outputs());
        return new OutputsManifest(jobId, all, other.artifacts() != null ? other.artifacts() : artifacts);
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a manifest; throws {@link IOException} with one sentence when it is not one. */
    public static OutputsManifest parse(byte[] json) throws IOException {
        try {
            return JSON.readValue(json, OutputsManifest.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("the outputs manifest is not valid JSON of the expected form");
        }
    }

    /** The job's manifest in {@code store} (the default datastore), empty when there is none yet. */
    public static Optional<OutputsManifest> read(Datastore store, String jobId) throws IOException {
        byte[] bytes;
        try {
            bytes = store.read(blobPath(jobId));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(parse(bytes));
    }

    /** Writes this manifest, replacing what was there. */
    public void write(Datastore store) throws IOException {
        store.put(blobPath(jobId), toJson());
    }

    /**
     * Merges this manifest into the one already stored (each node of a job adds its outputs) and writes the result.
     * Not atomic across writers: nodes of one job write the same output names and the same artifacts folder, so a
     * lost race loses nothing the other writer did not also write.
     *
     * @return what was written
     */
    public OutputsManifest writeMerged(Datastore store) throws IOException {
        OutputsManifest merged = read(store, jobId).map(m -> m.merge(this)).orElse(this);
        merged.write(store);
        return merged;
    }
}
