package dev.ebbtide.common.azureml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ebbtide.common.data.DataUri;
import dev.ebbtide.common.endpoint.ModelRef;
import dev.ebbtide.common.endpoint.OnlineDeployment;
import dev.ebbtide.common.endpoint.OnlineEndpoint;
import dev.ebbtide.common.endpoint.ProbeSettings;
import dev.ebbtide.common.endpoint.RequestSettings;
import dev.ebbtide.common.job.JobEnvironment;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads CLI v2 {@code managedOnlineEndpoint} and {@code managedOnlineDeployment} documents field by field: each field
 * is honoured (it is in the record) or refused with one sentence naming it; an unknown field is refused naming the
 * closest known one (docs/endpoints.md has the tables).
 */
final class OnlineEndpointYaml {
    static final Set<String> ENDPOINT_FIELDS =
            Set.of("$schema", "name", "description", "tags", "auth_mode", "traffic", "mirror_traffic");
    static final Map<String, String> ENDPOINT_REFUSED = endpointRefused();

    static final Set<String> DEPLOYMENT_FIELDS = Set.of(
            "$schema",
            "name",
            "endpoint_name",
            "description",
            "tags",
            "model",
            "code_configuration",
            "environment",
            "environment_variables",
            "instance_type",
            "instance_count",
            "request_settings",
            "liveness_probe",
            "readiness_probe",
            "scale_settings",
            "app_insights_enabled",
            "egress_public_network_access",
            "type");
    static final Map<String, String> DEPLOYMENT_REFUSED = deploymentRefused();
    static final Set<String> CODE_FIELDS = Set.of("code", "scoring_script");
    static final Set<String> REQUEST_FIELDS =
            Set.of("request_timeout_ms", "max_concurrent_requests_per_instance", "max_queue_wait_ms");
    static final Set<String> PROBE_FIELDS =
            Set.of("initial_delay", "period", "timeout", "failure_threshold", "success_threshold");
    static final Set<String> SCALE_FIELDS = Set.of("type");
    static final Set<String> MODEL_FIELDS = Set.of("$schema", "name", "version", "type", "path", "description", "tags");

    /** Azure ML's rule for endpoint and deployment names. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9-]{1,30}[A-Za-z0-9]");

    private static final Pattern MODEL_ASSET =
            Pattern.compile("azureml:([A-Za-z0-9_][A-Za-z0-9._-]*)(?:@(latest)|:([A-Za-z0-9._-]+))");
    private static final Pattern MODEL_REGISTRY = Pattern.compile("azureml://registries/[A-Za-z0-9_-]+/models/"
            + "([A-Za-z0-9_][A-Za-z0-9._-]*)/(?:labels|versions)/([A-Za-z0-9._-]+)");
    private static final long MAX_REQUEST_TIMEOUT_MS = 180_000;

    private OnlineEndpointYaml() {}

    private static Map<String, String> endpointRefused() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(
                "compute",
                "compute is only for endpoints on Azure Arc Kubernetes clusters: a managed online endpoint's instances "
                        + "come from each deployment's instance_type, so remove compute");
        m.put(
                "identity",
                "identity is not supported: a deployment runs without an Azure identity of its own, so remove identity");
        m.put(
                "public_network_access",
                "public_network_access is not supported: the scoring URI is served where Ebbtide's router listens, so "
                        + "remove it");
        m.put("properties", "properties is not supported: use tags for key-value labels");
        m.put("kind", "kind is set by Azure ML: remove it");
        for (String set : List.of("id", "scoring_uri", "openapi_uri", "provisioning_state", "location")) {
            m.put(
                    set,
                    set + " is set by Azure ML when an endpoint is created (az ml online-endpoint show prints it): "
                            + "remove it");
        }
        return Map.copyOf(m);
    }

    private static Map<String, String> deploymentRefused() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(
                "model_mount_path",
                "model_mount_path is for custom containers, which are not supported: the model is where "
                        + "AZUREML_MODEL_DIR points, so remove model_mount_path");
        m.put(
                "data_collector",
                "data_collector is not supported: requests and answers are not collected, so remove it");
        m.put("private_network_connection", "private_network_connection is not supported: remove it");
        m.put("properties", "properties is not supported: use tags for key-value labels");
        m.put(
                "with_package",
                "with_package is not supported: a deployment runs from its code, model and environment, so remove it");
        for (String set : List.of("id", "provisioning_state", "instance_segment")) {
            m.put(
                    set,
                    set + " is set by Azure ML when a deployment is created (az ml online-deployment show prints "
                            + "it): remove it");
        }
        return Map.copyOf(m);
    }

    static OnlineEndpoint endpoint(ObjectNode doc) {
        CommandJobYaml.refuseFields(doc, ENDPOINT_REFUSED);
        CommandJobYaml.known(doc, ENDPOINT_FIELDS, "endpoint");
        String name = name(doc, "name", "endpoint");
        String auth = text(doc, "auth_mode", "auth_mode", OnlineEndpoint.KEY).strip();
        if (auth.equals("aad_token")) {
            throw new InvalidSpecException(
                    "auth_mode aad_token (Microsoft Entra tokens) is not supported: use key or " + "aml_token");
        }
        if (!auth.equals(OnlineEndpoint.KEY) && !auth.equals(OnlineEndpoint.AML_TOKEN)) {
            throw new InvalidSpecException("auth_mode must be key or aml_token, got '" + auth + "'");
        }
        Map<String, Integer> traffic = percentages(doc, "traffic");
        int total = traffic.values().stream().mapToInt(Integer::intValue).sum();
        if (total != 0 && total != 100) {
            throw new InvalidSpecException("traffic must add up to 0 or 100, got " + total);
        }
        Map<String, Integer> mirror = percentages(doc, "mirror_traffic");
        if (mirror.size() > 1) {
            throw new InvalidSpecException("mirror_traffic names one deployment, got " + mirror.size());
        }
        for (Map.Entry<String, Integer> e : mirror.entrySet()) {
            if (e.getValue() > 50) {
                throw new InvalidSpecException(
                        "mirror_traffic." + e.getKey() + " must be at most 50, got " + e.getValue());
            }
            if (traffic.getOrDefault(e.getKey(), 0) > 0) {
                throw new InvalidSpecException("mirror_traffic." + e.getKey() + ": a deployment that takes live "
                        + "traffic cannot also receive mirrored traffic");
            }
        }
        return new OnlineEndpoint(
                name,
                auth,
                text(doc, "description", "description", null),
                CommandJobYaml.stringMap(doc, "tags", "tags must be a mapping of name: value"),
                traffic,
                mirror);
    }

    static OnlineDeployment deployment(ObjectNode doc) {
        CommandJobYaml.refuseFields(doc, DEPLOYMENT_REFUSED);
        CommandJobYaml.known(doc, DEPLOYMENT_FIELDS, "deployment");
        String type = text(doc, "type", "type", "managed").strip();
        if (!type.equalsIgnoreCase("managed")) {
            throw new InvalidSpecException("type must be managed (a managed online deployment), got '" + type + "'");
        }
        String name = name(doc, "name", "deployment");
        String endpoint = name(doc, "endpoint_name", "deployment");

        Map<String, String> local = new LinkedHashMap<>();
        ModelRef model = model(doc.get("model"), local);

        JsonNode codeNode = doc.get("code_configuration");
        if (codeNode == null || codeNode.isNull()) {
            throw new InvalidSpecException("code_configuration is required: give code (the scoring code's folder) and "
                    + "scoring_script (its file with init() and run()); deployments without a scoring script "
                    + "(MLflow no-code, custom containers) are not supported");
        }
        ObjectNode codeConfig = CommandJobYaml.section(doc, "code_configuration");
        CommandJobYaml.known(codeConfig, CODE_FIELDS, "code_configuration");
        String code = text(codeConfig, "code", "code_configuration.code", null);
        if (code == null || code.isBlank()) {
            throw new InvalidSpecException("code_configuration.code has no folder: give the scoring code's folder, "
                    + "e.g. code: ./onlinescoring");
        }
        code = code.strip();
        if (code.startsWith("azureml:") || DataUri.isUri(code)) {
            throw new InvalidSpecException("code_configuration.code '" + code + "' is not supported: give the local "
                    + "folder of the scoring code (it is uploaded with the deployment)");
        }
        local.put("code_configuration.code", code);
        String script = text(codeConfig, "scoring_script", "code_configuration.scoring_script", null);
        if (script == null || script.isBlank()) {
            throw new InvalidSpecException("code_configuration.scoring_script is required: the file in "
                    + "code_configuration.code that defines init() and run(raw_data), e.g. score.py");
        }
        script = script.strip();
        if (script.startsWith("/") || List.of(script.split("[/\\\\]")).contains("..") || !script.endsWith(".py")) {
            throw new InvalidSpecException("code_configuration.scoring_script must be a .py file inside "
                    + "code_configuration.code, written relative to it, got '" + script + "'");
        }

        JsonNode envNode = doc.get("environment");
        if (envNode == null || envNode.isNull()) {
            throw new InvalidSpecException("environment is required: give an image with a conda_file, or a named "
                    + "environment such as azureml://registries/azureml/environments/sklearn-1.5/labels/latest");
        }
        if (envNode.isObject() && envNode.has("inference_config")) {
            throw new InvalidSpecException("environment.inference_config is for custom containers, which are not "
                    + "supported: remove it and give code_configuration instead");
        }
        JobEnvironment environment = CommandJobYaml.environment(envNode, local);
        if (environment.buildPath() != null) {
            throw new InvalidSpecException("environment.build is not supported for deployments: give image and "
                    + "conda_file, or a named environment");
        }

        String instanceType = text(doc, "instance_type", "instance_type", null);
        if (instanceType == null || instanceType.isBlank()) {
            throw new InvalidSpecException("instance_type is required: the VM size of the deployment's instances, "
                    + "such as Standard_DS3_v2");
        }
        try {
            instanceType = AzureMlYaml.catalogued(instanceType.strip());
        } catch (InvalidSpecException e) {
            throw new InvalidSpecException("instance_type: " + e.getMessage(), e);
        }
        if (!doc.hasNonNull("instance_count")) {
            throw new InvalidSpecException(
                    "instance_count is required: how many instances serve the deployment, " + "e.g. 1");
        }
        int instances = AzureMlYaml.intField(doc, "instance_count", "instance_count", 1);
        if (instances < 1) {
            throw new InvalidSpecException("instance_count must be at least 1, got " + instances);
        }

        RequestSettings requests = requestSettings(doc);
        ProbeSettings liveness = probe(doc, "liveness_probe");
        ProbeSettings readiness = probe(doc, "readiness_probe");
        scaleSettings(doc);
        JsonNode insights = doc.get("app_insights_enabled");
        if (insights != null && !insights.isNull()) {
            if (!bool(insights, "app_insights_enabled")) {
                // false is Azure ML's default: nothing to do
            } else {
                throw new InvalidSpecException("app_insights_enabled: true is not supported: a deployment's requests, "
                        + "latencies and errors go to Prometheus instead, so remove it or write false");
            }
        }
        String egress = text(doc, "egress_public_network_access", "egress_public_network_access", "enabled")
                .strip();
        if (egress.equalsIgnoreCase("disabled")) {
            throw new InvalidSpecException("egress_public_network_access: disabled is not supported: a deployment's "
                    + "instances share their node's network, so remove it or write enabled");
        }
        if (!egress.equalsIgnoreCase("enabled")) {
            throw new InvalidSpecException(
                    "egress_public_network_access must be enabled or disabled, got '" + egress + "'");
        }
        Map<String, String> env = CommandJobYaml.stringMap(
                doc, "environment_variables", "environment_variables must be a mapping of NAME: value");
        env.forEach(AzureMlYaml::checkVariable);
        if (env.containsKey("AZUREML_MODEL_DIR")) {
            throw new InvalidSpecException(
                    "environment_variables.AZUREML_MODEL_DIR is set by the deployment (it points "
                            + "at the model's folder): remove it");
        }
        return new OnlineDeployment(
                name,
                endpoint,
                model,
                code,
                script,
                environment,
                instanceType,
                instances,
                requests,
                liveness,
                readiness,
                env,
                CommandJobYaml.stringMap(doc, "tags", "tags must be a mapping of name: value"),
                text(doc, "description", "description", null),
                local);
    }

    private static ModelRef model(JsonNode node, Map<String, String> local) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            String ref = node.asText().strip();
            Matcher asset = MODEL_ASSET.matcher(ref);
            if (asset.matches()) {
                return new ModelRef(
                        ModelRef.Kind.ASSET,
                        null,
                        asset.group(1),
                        asset.group(2) != null ? "latest" : asset.group(3),
                        "custom_model");
            }
            Matcher registry = MODEL_REGISTRY.matcher(ref);
            if (registry.matches()) {
                return new ModelRef(ModelRef.Kind.REGISTRY, ref, registry.group(1), registry.group(2), "custom_model");
            }
            throw new InvalidSpecException("model '" + ref + "' is not a form Ebbtide reads: use azureml:<name>:"
                    + "<version>, azureml:<name>@latest, azureml://registries/<registry>/models/<name>/versions/"
                    + "<version>, or a mapping {path: <folder>}");
        }
        if (!node.isObject()) {
            throw new InvalidSpecException(
                    "model must be a model asset (azureml:<name>:<version>) or a mapping " + "{path: <folder>}");
        }
        ObjectNode spec = (ObjectNode) node;
        CommandJobYaml.known(spec, MODEL_FIELDS, "model");
        String type = text(spec, "type", "model.type", "custom_model").strip();
        if (!type.equals("custom_model") && !type.equals("mlflow_model")) {
            throw new InvalidSpecException("model.type must be custom_model or mlflow_model, got '" + type + "'");
        }
        String name = text(spec, "name", "model.name", null);
        String version = text(spec, "version", "model.version", null);
        String path = text(spec, "path", "model.path", null);
        if (path == null || path.isBlank()) {
            throw new InvalidSpecException("model.path is required in an inline model: the model's folder or file");
        }
        path = path.strip();
        if (DataUri.isUri(path)) {
            DataUri uri;
            try {
                uri = DataUri.parse(path);
            } catch (InvalidSpecException e) {
                throw new InvalidSpecException("model.path: " + e.getMessage(), e);
            }
            if (uri instanceof DataUri.JobOutputRef) {
                return new ModelRef(ModelRef.Kind.JOB_OUTPUT, path, name, version, type);
            }
            if (uri instanceof DataUri.Datastore) {
                return new ModelRef(ModelRef.Kind.DATASTORE, path, name, version, type);
            }
            throw new InvalidSpecException("model.path must be a local folder, azureml://jobs/<job>/outputs/<output> "
                    + "or azureml://datastores/<datastore>/paths/<path>, got '" + path + "'");
        }
        local.put("model.path", path);
        return new ModelRef(ModelRef.Kind.LOCAL, path, name, version, type);
    }

    private static RequestSettings requestSettings(ObjectNode doc) {
        ObjectNode section = CommandJobYaml.section(doc, "request_settings");
        CommandJobYaml.known(section, REQUEST_FIELDS, "request_settings");
        RequestSettings d = RequestSettings.DEFAULTS;
        long timeout = whole(
                section,
                "request_timeout_ms",
                "request_settings",
                d.requestTimeout().toMillis(),
                1,
                MAX_REQUEST_TIMEOUT_MS);
        long concurrent = whole(
                section,
                "max_concurrent_requests_per_instance",
                "request_settings",
                d.maxConcurrentRequestsPerInstance(),
                1,
                1000);
        long queue = whole(
                section,
                "max_queue_wait_ms",
                "request_settings",
                d.maxQueueWait().toMillis(),
                0,
                MAX_REQUEST_TIMEOUT_MS);
        return new RequestSettings(Duration.ofMillis(timeout), (int) concurrent, Duration.ofMillis(queue));
    }

    private static ProbeSettings probe(ObjectNode doc, String field) {
        ObjectNode section = CommandJobYaml.section(doc, field);
        CommandJobYaml.known(section, PROBE_FIELDS, field);
        ProbeSettings d = ProbeSettings.DEFAULTS;
        long day = 86_400;
        return new ProbeSettings(
                Duration.ofSeconds(
                        whole(section, "initial_delay", field, d.initialDelay().toSeconds(), 1, day)),
                Duration.ofSeconds(whole(section, "period", field, d.period().toSeconds(), 1, day)),
                Duration.ofSeconds(whole(section, "timeout", field, d.timeout().toSeconds(), 1, day)),
                (int) whole(section, "failure_threshold", field, d.failureThreshold(), 1, 1000),
                (int) whole(section, "success_threshold", field, d.successThreshold(), 1, 1000));
    }

    private static void scaleSettings(ObjectNode doc) {
        ObjectNode section = CommandJobYaml.section(doc, "scale_settings");
        String type = text(section, "type", "scale_settings.type", "default").strip();
        if (type.equalsIgnoreCase("target_utilization")) {
            throw new InvalidSpecException("scale_settings.type target_utilization is for Kubernetes online "
                    + "deployments: a managed deployment takes type default (instance_count), so remove it");
        }
        if (!type.equalsIgnoreCase("default")) {
            throw new InvalidSpecException("scale_settings.type must be default, got '" + type + "'");
        }
        CommandJobYaml.known(section, SCALE_FIELDS, "scale_settings");
    }

    private static Map<String, Integer> percentages(ObjectNode doc, String field) {
        Map<String, Integer> out = new LinkedHashMap<>();
        JsonNode node = doc.get(field);
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new InvalidSpecException(field + " must be a mapping of deployment: percentage, e.g. blue: 90");
        }
        for (Map.Entry<String, JsonNode> e : CommandJobYaml.entries(node)) {
            String label = field + "." + e.getKey();
            if (!NAME.matcher(e.getKey()).matches()) {
                throw new InvalidSpecException(label + ": '" + e.getKey() + "' is not a deployment name");
            }
            JsonNode value = e.getValue();
            if (value == null || value.isNull() || !value.isValueNode()) {
                throw new InvalidSpecException(label + " must be a whole number from 0 to 100");
            }
            long percent = AzureMlYaml.wholeNumber(label, value);
            if (percent < 0 || percent > 100) {
                throw new InvalidSpecException(label + " must be from 0 to 100, got " + percent);
            }
            out.put(e.getKey(), (int) percent);
        }
        return out;
    }

    private static String name(ObjectNode doc, String field, String what) {
        String name = text(doc, field, field, null);
        if (name == null || name.isBlank()) {
            throw new InvalidSpecException(what + " has no " + field);
        }
        name = name.strip();
        if (!NAME.matcher(name).matches()) {
            throw new InvalidSpecException(field + " '" + name + "' is not valid: use 3 to 32 letters, digits and "
                    + "'-', starting with a letter and not ending with '-'");
        }
        return name;
    }

    /** A field's text, or {@code fallback} when absent or null; a list or mapping there is refused naming {@code label}. */
    private static String text(JsonNode doc, String field, String label, String fallback) {
        JsonNode value = doc.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isValueNode()) {
            throw new InvalidSpecException(label + " must be a single value, not a list or mapping");
        }
        return value.asText();
    }

    private static long whole(ObjectNode section, String field, String parent, long fallback, long min, long max) {
        String label = parent + "." + field;
        JsonNode value = section.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        long n = AzureMlYaml.wholeNumber(label, value);
        if (n < min || n > max) {
            throw new InvalidSpecException(label + " must be from " + min + " to " + max + ", got " + n);
        }
        return n;
    }

    private static boolean bool(JsonNode value, String label) {
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        String text = value.isValueNode() ? value.asText().strip() : "";
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new InvalidSpecException(label + " must be true or false, got '" + value.asText() + "'");
    }
}
