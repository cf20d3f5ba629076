package dev.ebbtide.common.azureml;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.Distribution;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code distribution:} section of an Azure ML command job: {@code type} {@code pytorch} or {@code mpi} (with
 * {@code process_count_per_instance}) or {@code tensorflow} (with {@code worker_count} and
 * {@code parameter_server_count}). Ebbtide runs one TensorFlow task per node, so workers plus parameter servers must
 * make {@code resources.instance_count}: workers default to the nodes that are not parameter servers (Azure ML's
 * default, the instance count, when there are none) and parameter servers to 0.
 */
final class DistributionYaml {
    private static final Set<String> FIELDS =
            Set.of("type", "process_count_per_instance", "worker_count", "parameter_server_count");

    private DistributionYaml() {}

    static Distribution parse(JsonNode node, int instanceCount) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidSpecException("distribution must be a mapping with a 'type' (pytorch, tensorflow or mpi)");
        }
        node.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw new InvalidSpecException("distribution has an unknown field '" + f + "' (known: type, "
                        + "process_count_per_instance, worker_count, parameter_server_count)");
            }
        });
        String type = node.path("type").asText("").toLowerCase(Locale.ROOT);
        Integer processes = count(node, "process_count_per_instance", 1);
        Integer workers = count(node, "worker_count", 1);
        Integer servers = count(node, "parameter_server_count", 0);
        switch (type) {
            case Distribution.PYTORCH, Distribution.MPI -> {
                if (workers != null || servers != null) {
                    throw new InvalidSpecException("worker_count and parameter_server_count are for distribution type "
                            + "tensorflow, not " + type);
                }
                return new Distribution(type, processes, null, null);
            }
            case Distribution.TENSORFLOW -> {
                if (processes != null) {
                    throw new InvalidSpecException("process_count_per_instance is for distribution types pytorch and "
                            + "mpi; tensorflow runs one task per node");
                }
                int ps = servers == null ? 0 : servers;
                int w = workers == null ? instanceCount - ps : workers;
                if (w < 1 || w + ps != instanceCount) {
                    throw new InvalidSpecException("Ebbtide runs one tensorflow task per node: worker_count (" + w
                            + ") plus parameter_server_count (" + ps + ") must equal resources.instance_count ("
                            + instanceCount + ")");
                }
                return new Distribution(type, null, workers, servers);
            }
            default ->
                throw new InvalidSpecException(
                        type.isEmpty()
                                ? "distribution has no 'type' (pytorch, tensorflow or mpi)"
                                : "distribution type must be pytorch, tensorflow or mpi, got '"
                                        + node.path("type").asText() + "'");
        }
    }

    /** An optional whole-number field at least {@code min}; null when absent. */
    private static Integer count(JsonNode node, String field, int min) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        boolean whole = value.isIntegralNumber() && value.canConvertToInt()
                || value.isTextual() && value.asText().matches("\\d{1,9}");
        if (!whole || value.asInt() < min) {
            throw new InvalidSpecException("distribution." + field + " must be a whole number of at least " + min
                    + ", got '" + value.asText() + "'");
        }
        return value.asInt();
    }
}
