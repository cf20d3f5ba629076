package dev.ebbtide.common.azureml;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ebbtide.common.events.Distribution;
import dev.ebbtide.common.events.JobSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads Azure ML CLI v2 documents (YAML, or JSON which is YAML too): {@code type: amlcompute} clusters and
 * {@code type: command} jobs. Every problem becomes an {@link InvalidSpecException} with a sentence a user can act on.
 */
public final class AzureMlYaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> PRIORITIES = Set.of("low", "medium", "high");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private AzureMlYaml() {}

    /** A parsed command job: where it runs ({@code local}, a cluster name, or null for the default) and what it runs. */
    public record ParsedJob(String compute, JobSpec spec) {}

    public static ClusterSpec parseCluster(String text) {
        ObjectNode doc = readObject(text, "cluster");
        String type = doc.path("type").asText("amlcompute");
        if (type.equals(ClusterSpec.VIRTUAL_MACHINE)) {
            return ComputeYaml.attached(doc);
        }
        if (type.equals(ClusterSpec.COMPUTE_INSTANCE)) {
            return ComputeYaml.instance(doc);
        }
        if (!type.equals("amlcompute")) {
            throw new InvalidSpecException(
                    "compute type must be amlcompute, virtualmachine or computeinstance, got '" + type + "'");
        }
        return new ClusterSpec(
                doc.path("name").asText(null),
                catalogued(doc.path("size").asText(null)),
                doc.path("tier").asText(null),
                intField(doc, "min_instances", 0),
                intField(doc, "max_instances", 1),
                intField(doc, "idle_time_before_scale_down", (int) ClusterSpec.DEFAULT_IDLE_SECONDS),
                doc.path("location").asText(null));
    }

    /** A size absent stays absent (ClusterSpec's default); a given one must be in the catalogue, spelled as Azure does. */
    static String catalogued(String size) {
        return size == null
                ? null
                : dev.ebbtide.common.compute.VmCatalogue.standard()
                        .require(size)
                        .name();
    }

    public static ParsedJob parseJob(String text) {
        ObjectNode doc = readObject(text, "job");
        String type = doc.path("type").asText("command");
        if (!type.equals("command")) {
            throw new InvalidSpecException("only command jobs are supported (type: command), got type '" + type + "'");
        }
        String command = doc.path("command").asText("").strip();
        if (command.isEmpty()) {
            throw new InvalidSpecException("job has no 'command'");
        }
        String compute = computeName(doc.path("compute").asText(""));
        int instances = intField(
                (ObjectNode) objectOrEmpty(doc.path("resources")), "instance_count", "resources.instance_count", 1);
        if (instances < 1) {
            throw new InvalidSpecException("resources.instance_count must be >= 1, got " + instances);
        }
        String priority =
                doc.path("queue_settings").path("priority").asText("medium").toLowerCase();
        if (!PRIORITIES.contains(priority)) {
            throw new InvalidSpecException(
                    "queue_settings.priority must be low, medium or high, got '" + priority + "'");
        }
        JsonNode timeout = doc.path("limits").path("timeout");
        Long timeoutSeconds =
                timeout.isMissingNode() || timeout.isNull() ? null : wholeNumber("limits.timeout", timeout);
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode envNode = doc.path("environment_variables");
        if (!envNode.isMissingNode() && !envNode.isNull()) {
            if (!envNode.isObject()) {
                throw new InvalidSpecException("environment_variables must be a mapping of NAME: value");
            }
            envNode.fields()
                    .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        env.forEach(AzureMlYaml::checkVariable);
        Distribution distribution = DistributionYaml.parse(doc.get("distribution"), instances);
        return new ParsedJob(
                compute,
                new JobSpec(
                        command,
                        instances,
                        env,
                        textOrNull(doc, "display_name"),
                        textOrNull(doc, "experiment_name"),
                        priority,
                        timeoutSeconds,
                        distribution));
    }

    /**
     * A name a shell and {@code execve} take as is (POSIX), and a value without NUL (it would cut the string).
     *
     * @throws InvalidSpecException with one sentence otherwise
     */
    public static void checkVariable(String name, String value) {
        if (!ENV_NAME.matcher(name).matches()) {
            throw new InvalidSpecException("environment variable name '" + name + "' is not valid: use letters, digits "
                    + "and '_', not starting with a digit");
        }
        if (value.indexOf('\0') >= 0) {
            throw new InvalidSpecException("environment variable " + name + " contains a NUL byte, which a process "
                    + "environment cannot hold");
        }
    }

    /**
     * {@code azureml:gpu-cluster} → {@code gpu-cluster}; {@code local} stays {@code local}; no compute → null (the
     * default compute takes the job, {@link dev.ebbtide.common.compute.DefaultCompute}).
     */
    static String computeName(String compute) {
        if (compute.isBlank()) {
            return null;
        }
        String name = compute.startsWith("azureml:") ? compute.substring("azureml:".length()) : compute;
        if (name.isBlank()) {
            throw new InvalidSpecException("compute '" + compute + "' names no cluster");
        }
        return name;
    }

    private static ObjectNode readObject(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new InvalidSpecException("empty " + what + " document");
        }
        JsonNode node;
        try {
            node = YAML.readTree(text);
        } catch (JacksonException e) {
            throw new InvalidSpecException(what + " document is not valid YAML or JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new InvalidSpecException(what + " document must be a mapping of fields, e.g. 'command: ...'");
        }
        return (ObjectNode) node;
    }

    private static JsonNode objectOrEmpty(JsonNode node) {
        return node.isObject() ? node : YAML.createObjectNode();
    }

    private static int intField(ObjectNode doc, String field, int fallback) {
        return intField(doc, field, field, fallback);
    }

    /** {@code label} names the field in errors (its path in the document). */
    private static int intField(ObjectNode doc, String field, String label, int fallback) {
        JsonNode value = doc.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        long whole = wholeNumber(label, value);
        if (whole < Integer.MIN_VALUE || whole > Integer.MAX_VALUE) {
            throw new InvalidSpecException(label + " is out of range, got '" + value.asText() + "'");
        }
        return (int) whole;
    }

    /** A whole number written as one ({@code 2}, {@code "2"}); {@code 2.9}, {@code 2.0}, {@code "1h"} are errors. */
    private static long wholeNumber(String field, JsonNode value) {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.asLong();
        }
        if (value.isTextual() && value.asText().strip().matches("-?\\d{1,18}")) {
            return Long.parseLong(value.asText().strip());
        }
        throw new InvalidSpecException(field + " must be a whole number, got '" + value.asText() + "'");
    }

    private static String textOrNull(ObjectNode doc, String field) {
        JsonNode value = doc.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
