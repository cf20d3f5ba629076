package dev.ebbtide.common.azureml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.ebbtide.common.data.DataUri;
import dev.ebbtide.common.events.Distribution;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.job.CodeRef;
import dev.ebbtide.common.job.CommandTemplate;
import dev.ebbtide.common.job.JobEnvironment;
import dev.ebbtide.common.job.JobInput;
import dev.ebbtide.common.job.JobOutput;
import dev.ebbtide.common.validation.UnknownFields;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a CLI v2 {@code type: command} job field by field: each top-level field is honoured or refused with one
 * sentence naming it (docs/jobs.md has the table); an unknown field is refused naming the closest known one.
 */
final class CommandJobYaml {
    /** Top-level fields a command job may have. */
    static final Set<String> FIELDS = Set.of(
            "$schema",
            "type",
            "command",
            "code",
            "inputs",
            "outputs",
            "environment",
            "environment_variables",
            "compute",
            "resources",
            "distribution",
            "limits",
            "queue_settings",
            "display_name",
            "experiment_name",
            "description",
            "tags");
    /** Documented top-level fields Ebbtide refuses, with the sentence it answers. */
    static final Map<String, String> REFUSED = refused();

    static final Set<String> RESOURCE_FIELDS = Set.of("instance_count", "instance_type");
    static final Map<String, String> RESOURCE_REFUSED = Map.of(
            "shm_size", "resources.shm_size is not supported: ranks use the node's own /dev/shm, so remove it",
            "docker_args", "resources.docker_args is not supported: Ebbtide does not start the job with docker run",
            "properties", "resources.properties is not supported: remove it",
            "locations", "resources.locations is not supported: a cluster's region is set on the cluster");
    static final Set<String> QUEUE_FIELDS = Set.of("priority", "job_tier");
    static final Set<String> LIMIT_FIELDS = Set.of("timeout");
    static final Set<String> LITERAL_FIELDS = Set.of("type", "value", "default", "description", "optional");
    static final Set<String> DATA_FIELDS = Set.of("type", "path", "mode", "description");
    static final Set<String> OUTPUT_FIELDS = Set.of("type", "path", "mode", "description");
    static final Set<String> ENVIRONMENT_FIELDS =
            Set.of("$schema", "image", "conda_file", "build", "name", "version", "description", "tags", "os_type");
    static final Set<String> BUILD_FIELDS = Set.of("path", "dockerfile_path");

    private static final Set<String> PRIORITIES = Set.of("low", "medium", "high");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern CODE_SNAPSHOT =
            Pattern.compile("azureml://datastores/([A-Za-z0-9_]+)/paths/LocalUpload/([0-9a-f]{64})/code\\.tar\\.gz");
    private static final Pattern ENV_ASSET =
            Pattern.compile("azureml:[A-Za-z0-9_][A-Za-z0-9._-]*(?:@latest|:[A-Za-z0-9._-]+)");
    private static final Pattern ENV_REGISTRY = Pattern.compile("azureml://registries/[A-Za-z0-9_-]+/environments/"
            + "[A-Za-z0-9_][A-Za-z0-9._-]*/(?:labels|versions)/[A-Za-z0-9._-]+");
    private static final ObjectMapper YAML_OUT = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private CommandJobYaml() {}

    private static Map<String, String> refused() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(
                "name",
                "name is not supported: Ebbtide gives each job its own id (POST /jobs answers it); use display_name "
                        + "to label the job");
        m.put(
                "services",
                "services (VS Code, Jupyter, TensorBoard, SSH) are not supported: Ebbtide runs the command only, so "
                        + "remove services");
        m.put(
                "identity",
                "identity is not supported: a job runs without an Azure identity of its own, so read data through "
                        + "inputs and write it through outputs");
        m.put("properties", "properties is not supported: use tags for key-value labels");
        m.put("is_deterministic", "is_deterministic belongs to components, not command jobs: remove it");
        m.put(
                "notification_setting",
                "notification_setting is not supported: follow a job with ./ebbtide logs or GET /jobs/{id}");
        for (String set : List.of("id", "status", "creation_context", "parent_job_name", "log_files", "studio_url")) {
            m.put(
                    set,
                    set + " is set by Azure ML when a job runs (it appears in az ml job show output): remove it from "
                            + "the job");
        }
        return Map.copyOf(m);
    }

    static AzureMlYaml.ParsedJob parse(ObjectNode doc) {
        String type = doc.path("type").asText("command");
        if (!type.equals("command")) {
            throw new InvalidSpecException("only command jobs are supported (type: command), got type '" + type + "'");
        }
        doc.fieldNames().forEachRemaining(f -> {
            if (REFUSED.containsKey(f)) {
                throw new InvalidSpecException(REFUSED.get(f));
            }
        });
        known(doc, FIELDS, "job");
        JsonNode commandNode = doc.path("command");
        if (!commandNode.isMissingNode() && !commandNode.isNull() && !commandNode.isValueNode()) {
            throw new InvalidSpecException("command must be text, the shell command to run");
        }
        String command = commandNode.asText("").strip();
        if (command.isEmpty() || commandNode.isNull()) {
            throw new InvalidSpecException("job has no 'command'");
        }
        String compute = AzureMlYaml.computeName(scalar(doc, "compute", ""));

        ObjectNode resources = section(doc, "resources");
        refuseFields(resources, RESOURCE_REFUSED);
        known(resources, RESOURCE_FIELDS, "resources");
        int instances = AzureMlYaml.intField(resources, "instance_count", "resources.instance_count", 1);
        if (instances < 1) {
            throw new InvalidSpecException("resources.instance_count must be >= 1, got " + instances);
        }
        String instanceType = scalar(resources, "instance_type", null);

        ObjectNode queue = section(doc, "queue_settings");
        known(queue, QUEUE_FIELDS, "queue_settings");
        String priority = scalar(queue, "priority", "medium").toLowerCase();
        if (!PRIORITIES.contains(priority)) {
            throw new InvalidSpecException(
                    "queue_settings.priority must be low, medium or high, got '" + priority + "'");
        }
        String tier = scalar(queue, "job_tier", null);
        if (tier != null && !tier.equalsIgnoreCase("standard") && !tier.equalsIgnoreCase("null")) {
            throw new InvalidSpecException("queue_settings.job_tier '" + tier + "' is not supported: the cluster's "
                    + "tier decides (a low_priority cluster for spot capacity), so remove it or write standard");
        }

        ObjectNode limits = section(doc, "limits");
        known(limits, LIMIT_FIELDS, "limits");
        JsonNode timeout = limits.path("timeout");
        Long timeoutSeconds =
                timeout.isMissingNode() || timeout.isNull() ? null : AzureMlYaml.wholeNumber("limits.timeout", timeout);

        Map<String, String> env =
                stringMap(doc, "environment_variables", "environment_variables must be a mapping " + "of NAME: value");
        env.forEach(AzureMlYaml::checkVariable);
        Distribution distribution = DistributionYaml.parse(doc.get("distribution"), instances);

        Map<String, String> local = new LinkedHashMap<>();
        CodeRef code = code(doc.get("code"), local);
        Map<String, JobInput> inputs = inputs(doc.get("inputs"), local);
        Map<String, JobOutput> outputs = outputs(doc.get("outputs"));
        JobEnvironment environment = environment(doc.get("environment"), local);
        CommandTemplate.problem(command, inputs.keySet(), outputs.keySet()).ifPresent(p -> {
            throw new InvalidSpecException(p);
        });
        Map<String, String> tags = stringMap(doc, "tags", "tags must be a mapping of name: value");
        dev.ebbtide.common.job.Checkpoint.problem(tags, outputs).ifPresent(p -> {
            throw new InvalidSpecException(p);
        });

        JobSpec spec = new JobSpec(
                command,
                instances,
                env,
                scalar(doc, "display_name", null),
                scalar(doc, "experiment_name", null),
                priority,
                timeoutSeconds,
                distribution,
                code,
                inputs,
                outputs,
                environment,
                tags,
                scalar(doc, "description", null));
        return new AzureMlYaml.ParsedJob(compute, spec, local, instanceType);
    }

    /** {@code code:}: a local folder (kept for the CLI), or a snapshot Ebbtide made; other forms are refused. */
    private static CodeRef code(JsonNode node, Map<String, String> local) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new InvalidSpecException("code must be the path of a folder, e.g. code: src");
        }
        String code = node.asText().strip();
        if (code.startsWith("git+") || code.startsWith("git@")) {
            throw new InvalidSpecException(
                    "code: " + code + " is not supported: clone the repository and give code: " + "the local folder");
        }
        Matcher snapshot = CODE_SNAPSHOT.matcher(code);
        if (snapshot.matches()) {
            return new CodeRef(code, "sha256:" + snapshot.group(2));
        }
        if (code.startsWith("azureml:") && !code.startsWith("azureml://")) {
            throw new InvalidSpecException(
                    "code: " + code + " (a registered code asset) is not supported: give " + "code: the local folder");
        }
        if (DataUri.isUri(code)) {
            throw new InvalidSpecException("code: " + code + " is not supported: give code: a local folder (the CLI "
                    + "uploads it) or a snapshot azureml://datastores/<ds>/paths/LocalUpload/<sha256>/code.tar.gz");
        }
        local.put("code", code);
        return null;
    }

    private static Map<String, JobInput> inputs(JsonNode node, Map<String, String> local) {
        Map<String, JobInput> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new InvalidSpecException("inputs must be a mapping of name: value or name: {type, path}");
        }
        for (Map.Entry<String, JsonNode> e : entries(node)) {
            String name = identifier("input", e.getKey());
            JobInput input = input(name, e.getValue(), local);
            if (input != null) {
                out.put(name, input);
            }
        }
        return out;
    }

    private static JobInput input(String name, JsonNode value, Map<String, String> local) {
        String label = "inputs." + name;
        if (value == null || value.isNull()) {
            throw new InvalidSpecException(label + " has no value: give a literal (" + name + ": 42) or data (" + name
                    + ": {type: uri_folder, path: ...})");
        }
        if (value.isValueNode()) {
            return JobInput.literal(literalType(value), literalText(value));
        }
        if (!value.isObject()) {
            throw new InvalidSpecException(label + " must be a literal value or a mapping {type, path, mode}");
        }
        ObjectNode spec = (ObjectNode) value;
        String type = scalar(spec, "type", null);
        if (type == null) {
            if (spec.hasNonNull("path")) {
                type = "uri_folder"; // Azure ML's default for an input with a path
            } else if (spec.hasNonNull("value") || spec.hasNonNull("default")) {
                type = literalType(spec.hasNonNull("value") ? spec.get("value") : spec.get("default"));
            } else {
                throw new InvalidSpecException(label + " needs a type and a value or a path");
            }
        }
        if (JobInput.LITERAL_TYPES.contains(type)) {
            known(spec, LITERAL_FIELDS, label);
            JsonNode given = spec.hasNonNull("value") ? spec.get("value") : spec.get("default");
            if (given == null || given.isNull()) {
                if (spec.path("optional").asBoolean(false)) {
                    return null; // an optional input with no value is absent: $[[ … ]] blocks naming it are dropped
                }
                throw new InvalidSpecException(label + " has no value: give it a value or a default");
            }
            return JobInput.literal(type, typedLiteral(label, type, given));
        }
        if (type.equals("mltable")) {
            throw new InvalidSpecException(label + ": type mltable is not supported: use uri_folder for the folder "
                    + "that holds the MLTable file");
        }
        if (type.equals("triton_model")) {
            throw new InvalidSpecException(label + ": type triton_model is not supported: use custom_model");
        }
        if (!JobInput.DATA_TYPES.contains(type)) {
            throw new InvalidSpecException(label + ".type must be string, integer, number, boolean, uri_file, "
                    + "uri_folder, mlflow_model or custom_model, got '" + type + "'");
        }
        known(spec, DATA_FIELDS, label);
        String mode = scalar(spec, "mode", "ro_mount");
        if (!JobInput.MODES.contains(mode)) {
            throw new InvalidSpecException(label + ".mode '" + mode + "' is not supported: inputs are read-only and "
                    + "fetched by the node, so use ro_mount (served as a download) or download");
        }
        String path = scalar(spec, "path", null);
        if (path == null || path.isBlank()) {
            throw new InvalidSpecException(label + " has no path");
        }
        path = path.strip();
        if (DataUri.isUri(path)) {
            try {
                DataUri.parse(path);
            } catch (InvalidSpecException e) {
                throw new InvalidSpecException(label + ": " + e.getMessage(), e);
            }
            return JobInput.data(type, path, mode);
        }
        local.put(label, path);
        return JobInput.data(type, null, mode);
    }

    private static String literalType(JsonNode value) {
        if (value.isBoolean()) {
            return "boolean";
        }
        if (value.isIntegralNumber()) {
            return "integer";
        }
        if (value.isNumber()) {
            return "number";
        }
        return "string";
    }

    private static String literalText(JsonNode value) {
        return value.isBigDecimal() || value.isDouble() || value.isFloat()
                ? value.numberValue().toString()
                : value.asText();
    }

    private static String typedLiteral(String label, String type, JsonNode given) {
        if (!given.isValueNode()) {
            throw new InvalidSpecException(label + " must be a single " + type + " value");
        }
        String text = literalText(given).strip();
        boolean ok = switch (type) {
            case "integer" -> given.isIntegralNumber() || text.matches("-?\\d{1,18}");
            case "number" -> given.isNumber() || text.matches("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
            case "boolean" -> given.isBoolean() || text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false");
            default -> true;
        };
        if (!ok) {
            throw new InvalidSpecException(label + " must be " + (type.equals("integer") ? "an " : "a ") + type
                    + ", got '" + given.asText() + "'");
        }
        return type.equals("boolean") ? text.toLowerCase() : type.equals("string") ? given.asText() : text;
    }

    private static Map<String, JobOutput> outputs(JsonNode node) {
        Map<String, JobOutput> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new InvalidSpecException("outputs must be a mapping of name: {type, path, mode} (or name: empty)");
        }
        for (Map.Entry<String, JsonNode> e : entries(node)) {
            String name = identifier("output", e.getKey());
            String label = "outputs." + name;
            JsonNode value = e.getValue();
            if (value == null || value.isNull()) {
                out.put(name, new JobOutput(null, null, null));
                continue;
            }
            if (!value.isObject()) {
                throw new InvalidSpecException(label + " must be a mapping {type, path, mode} or empty");
            }
            ObjectNode spec = (ObjectNode) value;
            if (spec.has("name") || spec.has("version")) {
                throw new InvalidSpecException(label + ": registering an output as a data asset (name, version) is "
                        + "not supported: read it later by azureml://jobs/<job>/outputs/" + name);
            }
            known(spec, OUTPUT_FIELDS, label);
            String type = scalar(spec, "type", "uri_folder");
            if (!JobOutput.TYPES.contains(type)) {
                throw new InvalidSpecException(label + ".type must be uri_folder, uri_file, mlflow_model or "
                        + "custom_model, got '" + type + "'");
            }
            String mode = scalar(spec, "mode", "rw_mount");
            if (!JobOutput.MODES.contains(mode)) {
                throw new InvalidSpecException(label + ".mode '" + mode + "' is not supported: outputs are uploaded "
                        + "when the job ends, so use rw_mount (served as an upload) or upload");
            }
            String path = scalar(spec, "path", null);
            if (path != null) {
                path = path.strip();
                DataUri parsed = null;
                try {
                    parsed = DataUri.isUri(path) ? DataUri.parse(path) : null;
                } catch (InvalidSpecException ignored) {
                    // refused below with the output's own sentence
                }
                if (!(parsed instanceof DataUri.Datastore)) {
                    throw new InvalidSpecException(
                            label + ".path must be azureml://datastores/<name>/paths/<path>, " + "got '" + path + "'");
                }
            }
            out.put(name, new JobOutput(type, path, mode));
        }
        return out;
    }

    static JobEnvironment environment(JsonNode node, Map<String, String> local) {
        if (node == null || node.isNull()) {
            return null; // the node's default environment
        }
        if (node.isTextual()) {
            String name = node.asText().strip();
            if (ENV_ASSET.matcher(name).matches() || ENV_REGISTRY.matcher(name).matches()) {
                return new JobEnvironment(null, name, null, null);
            }
            if (name.startsWith("file:")) {
                throw new InvalidSpecException("environment: " + name + " (an environment file) is not supported: "
                        + "write the environment in the job (image:, conda_file:) or name a registered one");
            }
            throw new InvalidSpecException("environment '" + name + "' is not a form Ebbtide reads: use "
                    + "azureml:<name>@latest, azureml:<name>:<version>, azureml://registries/<registry>/environments/"
                    + "<name>/labels/<label> (or /versions/<version>), or an inline image");
        }
        if (!node.isObject()) {
            throw new InvalidSpecException(
                    "environment must be a name (azureml:<name>@latest) or a mapping with " + "image: or build:");
        }
        ObjectNode env = (ObjectNode) node;
        known(env, ENVIRONMENT_FIELDS, "environment");
        String os = scalar(env, "os_type", "linux");
        if (!os.equalsIgnoreCase("linux")) {
            throw new InvalidSpecException("environment.os_type '" + os + "' is not supported: nodes run Linux");
        }
        String image = scalar(env, "image", null);
        JsonNode build = env.get("build");
        if (image != null && build != null && !build.isNull()) {
            throw new InvalidSpecException("environment has both image and build: give one");
        }
        if (build != null && !build.isNull()) {
            if (env.hasNonNull("conda_file")) {
                throw new InvalidSpecException("environment.conda_file goes with image, not build: install the "
                        + "packages in the Dockerfile");
            }
            if (!build.isObject()) {
                throw new InvalidSpecException("environment.build must be a mapping {path, dockerfile_path}");
            }
            known((ObjectNode) build, BUILD_FIELDS, "environment.build");
            String path = scalar(build, "path", null);
            if (path == null || path.isBlank()) {
                throw new InvalidSpecException("environment.build has no path (the Docker build context)");
            }
            String dockerfile = scalar(build, "dockerfile_path", "Dockerfile").strip();
            if (!dockerfile.equals("Dockerfile") && !dockerfile.equals("./Dockerfile")) {
                throw new InvalidSpecException("environment.build.dockerfile_path '" + dockerfile + "' is not "
                        + "supported: name the file Dockerfile at the root of the build context");
            }
            if (!DataUri.isUri(path.strip())) {
                local.put("environment.build.path", path.strip());
            }
            return new JobEnvironment(null, null, null, path.strip());
        }
        if (image == null || image.isBlank()) {
            throw new InvalidSpecException("environment needs image: (a container image) or build: {path}");
        }
        image = image.strip();
        if (!image.matches("[A-Za-z0-9][A-Za-z0-9._/:@-]*")) {
            throw new InvalidSpecException("environment.image '" + image + "' is not an image reference");
        }
        String conda = null;
        JsonNode condaNode = env.get("conda_file");
        if (condaNode != null && !condaNode.isNull()) {
            if (condaNode.isObject()) {
                try {
                    conda = YAML_OUT.writeValueAsString(condaNode);
                } catch (JsonProcessingException e) {
                    throw new InvalidSpecException("environment.conda_file cannot be written back as YAML", e);
                }
            } else if (condaNode.isTextual() && !condaNode.asText().isBlank()) {
                String path = condaNode.asText().strip();
                if (DataUri.isUri(path)) {
                    throw new InvalidSpecException("environment.conda_file must be a file next to the job's YAML or an "
                            + "inline mapping, got '" + path + "'");
                }
                local.put("environment.conda_file", path);
            } else {
                throw new InvalidSpecException("environment.conda_file must be a file path or an inline mapping");
            }
        }
        return new JobEnvironment(image, null, conda, null);
    }

    private static String identifier(String what, String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new InvalidSpecException(what + " name '" + name + "' is not valid: use letters, digits and '_', "
                    + "not starting with a digit");
        }
        return name;
    }

    static ObjectNode section(ObjectNode doc, String field) {
        JsonNode node = doc.get(field);
        if (node == null || node.isNull()) {
            return doc.objectNode();
        }
        if (!node.isObject()) {
            throw new InvalidSpecException(field + " must be a mapping");
        }
        return (ObjectNode) node;
    }

    static Map<String, String> stringMap(ObjectNode doc, String field, String notAMapping) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode node = doc.get(field);
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new InvalidSpecException(notAMapping);
        }
        for (Map.Entry<String, JsonNode> e : entries(node)) {
            JsonNode v = e.getValue();
            if (v != null && !v.isNull() && !v.isValueNode()) {
                throw new InvalidSpecException(
                        field + "." + e.getKey() + " must be a single value, not a list or " + "mapping");
            }
            out.put(e.getKey(), v == null || v.isNull() ? "" : literalText(v));
        }
        return out;
    }

    /** A field's text, or {@code fallback} when absent or null; a list or mapping there is refused. */
    static String scalar(JsonNode doc, String field, String fallback) {
        JsonNode value = doc.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isValueNode()) {
            throw new InvalidSpecException(field + " must be a single value, not a list or mapping");
        }
        return value.asText();
    }

    static List<Map.Entry<String, JsonNode>> entries(JsonNode node) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        node.fields().forEachRemaining(out::add);
        return out;
    }

    static void refuseFields(ObjectNode doc, Map<String, String> refused) {
        doc.fieldNames().forEachRemaining(f -> {
            if (refused.containsKey(f)) {
                throw new InvalidSpecException(refused.get(f));
            }
        });
    }

    static void known(ObjectNode doc, Set<String> fields, String what) {
        List<String> given = new ArrayList<>();
        doc.fieldNames().forEachRemaining(given::add);
        UnknownFields.problem(given, fields).ifPresent(p -> {
            throw new InvalidSpecException(what + ": " + p);
        });
    }
}
