package dev.ebbtide.common.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ebbtide.common.azureml.InvalidSpecException;
import java.io.IOException;
import java.util.Optional;

/**
 * The workspace's default compute: the cluster that takes jobs naming no compute, as an Azure ML workspace's default
 * compute does. Applied in one way on both paths: the job-submitter's REST path ({@link #resolve}) and the scheduler's
 * Kafka path ({@link #fill}, before the submission is decoded). Both read {@value #KEY}; set it to the same cluster on
 * both (docs/compute.md).
 */
public final class DefaultCompute {
    /** The configuration key, read by the job-submitter and the scheduler. */
    public static final String KEY = "ebbtide.default-compute";
    /** The refusal of a job that names no compute when no default is configured. */
    public static final String NONE_CONFIGURED = "job names no compute and no default compute is configured: add "
            + "'compute: azureml:<cluster>' to the job, or set " + KEY + "=<cluster> (env EBBTIDE_DEFAULT_COMPUTE) on "
            + "the job-submitter and the scheduler";

    private static final ObjectMapper JSON = new ObjectMapper();

    private DefaultCompute() {}

    /**
     * @param compute the cluster a job named, or null / blank for none
     * @return the cluster the job goes to
     * @throws InvalidSpecException with {@link #NONE_CONFIGURED} when it named none and there is no default
     */
    public static String resolve(String compute, Optional<String> defaultCluster) {
        if (compute != null && !compute.isBlank()) {
            return compute;
        }
        return defaultCluster
                .filter(d -> !d.isBlank())
                .map(String::strip)
                .orElseThrow(() -> new InvalidSpecException(NONE_CONFIGURED));
    }

    /**
     * A {@code JobSubmitted} record's JSON with the default cluster filled in when its {@code cluster} is absent, null
     * or blank; any other value (including what is not a JSON object) is returned as it is, for the decoder to judge.
     */
    public static byte[] fill(byte[] submission, Optional<String> defaultCluster) {
        if (submission == null || defaultCluster.filter(d -> !d.isBlank()).isEmpty()) {
            return submission;
        }
        try {
            JsonNode tree = JSON.readTree(submission);
            if (!(tree instanceof ObjectNode object)) {
                return submission;
            }
            JsonNode cluster = object.get("cluster");
            if (cluster != null
                    && !cluster.isNull()
                    && !(cluster.isTextual() && cluster.asText().isBlank())) {
                return submission;
            }
            object.put("cluster", defaultCluster.get().strip());
            return JSON.writeValueAsBytes(object);
        } catch (IOException e) {
            return submission;
        }
    }
}
