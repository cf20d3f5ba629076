package dev.ebbtide.common.azureml;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ebbtide.common.events.JobSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads Azure ML CLI v2 documents (YAML, or JSON which is YAML too): {@code type: amlcompute} clusters and
 * {@code type: command} jobs. Every problem becomes an {@link InvalidSpecException} with a sentence a user can act on.
 */
public final class AzureMlYaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private AzureMlYaml() {}

    /**
     * A parsed command job.
     *
     * @param compute      where it runs: {@code local}, a cluster name, or null for the default compute
     * @param spec         what it runs; a data input whose path is local has a null path in it until the CLI uploads
     *                     it, and a local {@code code:} gives no {@link JobSpec#code()} until then
     * @param localPaths   paths on the submitter's machine, as written, relative to the YAML file's folder, by what
     *                     names them: {@code code}, {@code inputs.<name>}, {@code environment.conda_file},
     *                     {@code environment.build.path}; in the order written
     * @param instanceType {@code resources.instance_type}, or null: the cluster's size must be this one
     */
    public record ParsedJob(String compute, JobSpec spec, Map<String, String> localPaths, String instanceType) {
        public ParsedJob {
            localPaths = localPaths == null
                    ? Map.of()
                    : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(localPaths));
        }

        public ParsedJob(String compute, JobSpec spec) {
            this(compute, spec, null, null);
        }

        /** {@code code:} as written when it is a local folder, else null. */
        public String codePath() {
            return localPaths.get("code");
        }

        /** Data inputs whose path is local: input name → path as written. */
        public Map<String, String> localInputs() {
            Map<String, String> out = new LinkedHashMap<>();
            localPaths.forEach((k, v) -> {
                if (k.startsWith("inputs.")) {
                    out.put(k.substring("inputs.".length()), v);
                }
            });
            return out;
        }

        /** {@code environment.conda_file} as written when it is a file path, else null. */
        public String condaFilePath() {
            return localPaths.get("environment.conda_file");
        }

        /**
         * Why a submission that cannot read the submitter's files (REST) cannot take this job, in one sentence, or
         * empty when it names no local path.
         */
        public java.util.Optional<String> localPathProblem() {
            return localPaths.entrySet().stream()
                    .findFirst()
                    .map(e -> e.getKey() + ": " + e.getValue() + " is a path on your machine, which a REST "
                            + "submission cannot read: submit the YAML with ./ebbtide submit (which uploads it), "
                            + "or upload it with ./ebbtide data upload " + e.getValue()
                            + " azureml://datastores/workspaceblobstore/paths/<path> and write that path instead");
        }

        /**
         * Why this job cannot run on a cluster of this VM size, in one sentence, or empty ({@code
         * resources.instance_type} is honoured only when it names the cluster's own size).
         */
        public java.util.Optional<String> instanceTypeProblem(String cluster, String clusterSize) {
            if (instanceType == null || clusterSize == null || instanceType.equalsIgnoreCase(clusterSize)) {
                return java.util.Optional.empty();
            }
            if (clusterSize.equals("attached")) {
                return java.util.Optional.of("resources.instance_type is not supported on attached compute '" + cluster
                        + "', whose machines are your own: remove instance_type");
            }
            return java.util.Optional.of("resources.instance_type " + instanceType + " differs from cluster '"
                    + cluster + "', whose size is " + clusterSize + ": remove instance_type or submit to a cluster "
                    + "of that size");
        }
    }

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
        String size = catalogued(doc.path("size").asText(null));
        return new ClusterSpec(
                doc.path("name").asText(null),
                size,
                doc.path("tier").asText(null),
                intField(doc, "min_instances", 0),
                intField(doc, "max_instances", 1),
                intField(doc, "idle_time_before_scale_down", (int) ClusterSpec.DEFAULT_IDLE_SECONDS),
                doc.path("location").asText(null),
                ClusterSpec.AMLCOMPUTE,
                null,
                null,
                ClusterExtensions.read(doc, size));
    }

    /** A size absent stays absent (ClusterSpec's default); a given one must be in the catalogue, spelled as Azure does. */
    static String catalogued(String size) {
        return size == null
                ? null
                : dev.ebbtide.common.compute.VmCatalogue.standard()
                        .require(size)
                        .name();
    }

    /**
     * Reads a command job: every top-level field is honoured or refused with one sentence naming it (docs/jobs.md).
     * Local paths ({@code code:}, data inputs, a conda file, a build context) are not resolved here: they are kept on
     * {@link ParsedJob#localPaths()} for the CLI, which reads them relative to the YAML file's folder.
     *
     * @throws InvalidSpecException with one sentence saying what to fix
     */
    public static ParsedJob parseJob(String text) {
        return CommandJobYaml.parse(readObject(text, "job"));
    }

    /**
     * Reads a {@code managedOnlineEndpoint} document: every field is honoured or refused with one sentence naming it
     * (docs/endpoints.md).
     *
     * @throws InvalidSpecException with one sentence saying what to fix
     */
    public static dev.ebbtide.common.endpoint.OnlineEndpoint parseOnlineEndpoint(String text) {
        return OnlineEndpointYaml.endpoint(readObject(text, "endpoint"));
    }

    /**
     * Reads a {@code managedOnlineDeployment} document: every field is honoured or refused with one sentence naming it
     * (docs/endpoints.md). Local paths (the model, the code, a conda file) are kept as written, relative to the YAML
     * file's folder, on {@link dev.ebbtide.common.endpoint.OnlineDeployment#localPaths()}.
     *
     * @throws InvalidSpecException with one sentence saying what to fix
     */
    public static dev.ebbtide.common.endpoint.OnlineDeployment parseOnlineDeployment(String text) {
        return OnlineEndpointYaml.deployment(readObject(text, "deployment"));
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
            // the parser's message spans lines (a snippet, a caret): its first line and the position make the sentence
            String first = String.valueOf(e.getOriginalMessage())
                    .lines()
                    .findFirst()
                    .orElse("")
                    .strip()
                    .split("(?<=\\.)\\s+(?=\\p{Lu})")[0] // and of that line its first sentence
                    .replaceAll("\\.$", "");
            var at = e.getLocation();
            throw new InvalidSpecException(
                    what + " document is not valid YAML or JSON: " + first
                            + (at != null && at.getLineNr() > 0
                                    ? " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"
                                    : ""),
                    e);
        }
        if (node == null || !node.isObject()) {
            throw new InvalidSpecException(what + " document must be a mapping of fields, e.g. '"
                    + (what.equals("endpoint") || what.equals("deployment") ? "name" : "command") + ": ...'");
        }
        return (ObjectNode) node;
    }

    private static int intField(ObjectNode doc, String field, int fallback) {
        return intField(doc, field, field, fallback);
    }

    /** {@code label} names the field in errors (its path in the document). */
    static int intField(ObjectNode doc, String field, String label, int fallback) {
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
    static long wholeNumber(String field, JsonNode value) {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.asLong();
        }
        if (value.isTextual() && value.asText().strip().matches("-?\\d{1,18}")) {
            return Long.parseLong(value.asText().strip());
        }
        throw new InvalidSpecException(field + " must be a whole number, got '" + value.asText() + "'");
    }
}
