package dev.ebbtide.common.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.Sentences;
import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.job.JobEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** CLI v2 online endpoint and deployment documents: what each field becomes, or the one sentence that refuses it. */
class OnlineEndpointYamlTest {
    /** Azure ML's sample, copied unchanged into the repository's examples. */
    static final Path SAMPLE = Path.of("../examples/azureml-examples/cli/endpoints/online/managed/sample");

    private static final String DEPLOYMENT = """
            name: blue
            endpoint_name: my-endpoint
            model:
              path: ../../model-1/model/
            code_configuration:
              code: ../../model-1/onlinescoring/
              scoring_script: score.py
            environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest
            instance_type: Standard_DS3_v2
            instance_count: 1
            """;

    // ---- the examples, unchanged ----

    @Test
    void theSampleEndpointIsReadAsWritten() throws IOException {
        OnlineEndpoint endpoint = AzureMlYaml.parseOnlineEndpoint(Files.readString(SAMPLE.resolve("endpoint.yml")));
        assertEquals(new OnlineEndpoint("my-endpoint", "key", null, Map.of(), Map.of(), Map.of()), endpoint);
    }

    static Stream<Arguments> sampleDeployments() {
        String sklearn = "environment azureml://registries/azureml/environments/sklearn-1.5/labels/latest";
        String image = "image mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest";
        return Stream.of(
                Arguments.of(
                        "blue-deployment.yml",
                        "blue local model ../../model-1/model/ ../../model-1/onlinescoring/ score.py " + image
                                + " conda=../../model-1/environment/conda.yaml"),
                Arguments.of(
                        "green-deployment.yml",
                        "green local model ../../model-2/model/ ../../model-2/onlinescoring/ score.py " + image
                                + " conda=../../model-2/environment/conda.yaml"),
                Arguments.of(
                        "blue-deployment-with-curated-env.yml",
                        "blue local model ../../model-1/model/ ../../model-1/onlinescoring/ score.py " + sklearn
                                + " conda=none"),
                Arguments.of(
                        "green-deployment-with-curated-env.yml",
                        "green local model ../../model-2/model/ ../../model-2/onlinescoring/ score.py " + sklearn
                                + " conda=none"),
                Arguments.of(
                        "blue-deployment-with-registered-assets.yml",
                        "blue model asset azureml:my-model:1 ../../model-1/onlinescoring/ score.py environment "
                                + "azureml:my-env:1 conda=none"),
                Arguments.of(
                        "green-deployment-with-registered-assets.yml",
                        "green model asset azureml:my-model:2 ../../model-2/onlinescoring/ score.py environment "
                                + "azureml:my-env:1 conda=none"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sampleDeployments")
    void eachSampleDeploymentIsReadAsWritten(String file, String expected) throws IOException {
        OnlineDeployment d = AzureMlYaml.parseOnlineDeployment(Files.readString(SAMPLE.resolve(file)));
        assertEquals(
                expected,
                d.name() + " " + d.model().describe() + " " + d.code() + " " + d.scoringScript() + " "
                        + d.environment().describe() + " conda="
                        + d.condaFilePath().orElse("none"));
        assertEquals("my-endpoint", d.endpointName());
        assertEquals("Standard_DS3_v2", d.instanceType());
        assertEquals(1, d.instanceCount());
        assertEquals(RequestSettings.DEFAULTS, d.requestSettings());
        assertEquals(ProbeSettings.DEFAULTS, d.livenessProbe());
        assertEquals(ProbeSettings.DEFAULTS, d.readinessProbe());
    }

    @Test
    void everyYamlFileOfTheSampleIsCovered() throws IOException {
        try (Stream<Path> files = Files.list(SAMPLE)) {
            List<String> yaml = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yml"))
                    .sorted()
                    .toList();
            List<String> covered = Stream.concat(
                            Stream.of("endpoint.yml"), sampleDeployments().map(a -> (String) a.get()[0]))
                    .sorted()
                    .toList();
            assertEquals(covered, yaml);
        }
    }

    // ---- what each field becomes ----

    @Test
    void everyHonouredDeploymentFieldIsInTheRecord() {
        OnlineDeployment d = AzureMlYaml.parseOnlineDeployment("""
                $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
                name: blue-2
                endpoint_name: my-endpoint
                description: first try
                tags: {team: search}
                model: {path: azureml://jobs/train-1/outputs/model, type: mlflow_model, name: m, version: "3"}
                code_configuration: {code: ./src, scoring_script: sub/score.py}
                environment:
                  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest
                  conda_file: env/conda.yaml
                environment_variables: {WORKER_COUNT: 2}
                instance_type: standard_ds3_v2
                instance_count: 3
                request_settings: {request_timeout_ms: 90000, max_concurrent_requests_per_instance: 4,
                                   max_queue_wait_ms: 250}
                liveness_probe: {initial_delay: 5, period: 3, timeout: 1, failure_threshold: 4, success_threshold: 2}
                readiness_probe: {period: 7}
                scale_settings: {type: default}
                app_insights_enabled: false
                egress_public_network_access: enabled
                type: managed
                """);
        assertEquals("blue-2", d.name());
        assertEquals("first try", d.description());
        assertEquals(Map.of("team", "search"), d.tags());
        assertEquals(
                new ModelRef(
                        ModelRef.Kind.JOB_OUTPUT, "azureml://jobs/train-1/outputs/model", "m", "3", "mlflow_model"),
                d.model());
        assertEquals("./src", d.code());
        assertEquals("sub/score.py", d.scoringScript());
        assertEquals(
                new JobEnvironment("mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest", null, null, null),
                d.environment());
        assertEquals(
                Map.of("code_configuration.code", "./src", "environment.conda_file", "env/conda.yaml"), d.localPaths());
        assertEquals(Map.of("WORKER_COUNT", "2"), d.environmentVariables());
        assertEquals("Standard_DS3_v2", d.instanceType(), "spelled as the catalogue spells it");
        assertEquals(3, d.instanceCount());
        assertEquals(new RequestSettings(Duration.ofSeconds(90), 4, Duration.ofMillis(250)), d.requestSettings());
        assertEquals(
                new ProbeSettings(Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(1), 4, 2),
                d.livenessProbe());
        assertEquals(
                new ProbeSettings(Duration.ofSeconds(10), Duration.ofSeconds(7), Duration.ofSeconds(2), 30, 1),
                d.readinessProbe());
    }

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("asset with version", "azureml:my-model:1", "ASSET null my-model 1 custom_model"),
                Arguments.of("asset latest", "azureml:my-model@latest", "ASSET null my-model latest custom_model"),
                Arguments.of(
                        "registry version",
                        "azureml://registries/azureml/models/bert/versions/12",
                        "REGISTRY azureml://registries/azureml/models/bert/versions/12 bert 12 custom_model"),
                Arguments.of(
                        "inline local folder",
                        "{path: ./model}",
                        "LOCAL ./model null null custom_model local={model.path=./model, "
                                + "code_configuration.code=../../model-1/onlinescoring/}"),
                Arguments.of(
                        "inline job output",
                        "{path: azureml://jobs/j1/outputs/out}",
                        "JOB_OUTPUT azureml://jobs/j1/outputs/out null null custom_model"),
                Arguments.of(
                        "inline datastore path",
                        "{path: azureml://datastores/workspaceblobstore/paths/models/m1/}",
                        "DATASTORE azureml://datastores/workspaceblobstore/paths/models/m1/ null null custom_model"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void modelForms(String row, String model, String expected) {
        OnlineDeployment d = AzureMlYaml.parseOnlineDeployment(
                DEPLOYMENT.replace("model:\n  path: ../../model-1/model/", "model: " + model));
        ModelRef m = d.model();
        String summary = m.kind() + " " + m.path() + " " + m.name() + " " + m.version() + " " + m.type();
        if (m.kind() == ModelRef.Kind.LOCAL) {
            summary += " local=" + d.localPaths();
        }
        assertEquals(expected, summary);
    }

    @Test
    void aDeploymentWithoutModelHasNone() {
        OnlineDeployment d =
                AzureMlYaml.parseOnlineDeployment(DEPLOYMENT.replace("model:\n  path: ../../model-1/model/\n", ""));
        assertNull(d.model());
    }

    @Test
    void anEndpointWithEveryHonouredField() {
        OnlineEndpoint e = AzureMlYaml.parseOnlineEndpoint("""
                $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json
                name: my-endpoint
                auth_mode: aml_token
                description: scores houses
                tags: {owner: me}
                traffic: {blue: 90, green: 10}
                mirror_traffic: {canary: 20}
                """);
        assertEquals(
                new OnlineEndpoint(
                        "my-endpoint",
                        "aml_token",
                        "scores houses",
                        Map.of("owner", "me"),
                        Map.of("blue", 90, "green", 10),
                        Map.of("canary", 20)),
                e);
    }

    // ---- refused, each with its sentence ----

    static Stream<Arguments> refusedEndpoints() {
        return Stream.of(
                Arguments.of("no name", "auth_mode: key", "endpoint has no name"),
                Arguments.of("name too short", "name: ab", "name 'ab' is not valid: use 3 to 32 letters"),
                Arguments.of("name ends with a dash", "name: abc-", "name 'abc-' is not valid"),
                Arguments.of(
                        "aad token",
                        "name: ep1\nauth_mode: aad_token",
                        "auth_mode aad_token (Microsoft Entra tokens) is not supported"),
                Arguments.of("unknown auth", "name: ep1\nauth_mode: basic", "auth_mode must be key or aml_token"),
                Arguments.of(
                        "traffic not 100",
                        "name: ep1\ntraffic: {blue: 90, green: 5}",
                        "traffic must add up to 0 or 100, got 95"),
                Arguments.of(
                        "traffic over 100",
                        "name: ep1\ntraffic: {blue: 190}",
                        "traffic.blue must be from 0 to 100, got 190"),
                Arguments.of(
                        "mirror to a live deployment",
                        "name: ep1\ntraffic: {blue: 100}\nmirror_traffic: {blue: 10}",
                        "mirror_traffic.blue: a deployment that takes live traffic"),
                Arguments.of(
                        "mirror over 50",
                        "name: ep1\nmirror_traffic: {green: 60}",
                        "mirror_traffic.green must be at most 50"),
                Arguments.of(
                        "compute", "name: ep1\ncompute: azureml:k8s", "compute is only for endpoints on Azure Arc"),
                Arguments.of("identity", "name: ep1\nidentity: {type: system_assigned}", "identity is not supported"),
                Arguments.of(
                        "public network access",
                        "name: ep1\npublic_network_access: disabled",
                        "public_network_access is not supported"),
                Arguments.of("set by Azure", "name: ep1\nscoring_uri: https://x", "scoring_uri is set by Azure ML"),
                Arguments.of(
                        "misspelt field",
                        "name: ep1\nauth_mod: key",
                        "endpoint: unknown field 'auth_mod' (did you mean " + "'auth_mode'?)"),
                Arguments.of("a list", "- name: ep1", "endpoint document must be a mapping of fields"),
                Arguments.of("empty", "", "empty endpoint document"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedEndpoints")
    void refusedEndpointFields(String row, String yaml, String sentenceStart) {
        var e = assertThrows(InvalidSpecException.class, () -> AzureMlYaml.parseOnlineEndpoint(yaml));
        assertTrue(e.getMessage().startsWith(sentenceStart), e.getMessage());
        assertTrue(Sentences.isOneSentence(e.getMessage()), e.getMessage());
    }

    static Stream<Arguments> refusedDeployments() {
        return Stream.of(
                row("no name", "name: blue\n", "", "deployment has no name"),
                row("no endpoint", "endpoint_name: my-endpoint\n", "", "deployment has no endpoint_name"),
                row(
                        "plain model path",
                        "model:\n  path: ../../model-1/model/\n",
                        "model: ./model\n",
                        "model './model' is not a form Ebbtide reads"),
                row(
                        "model without path",
                        "model:\n  path: ../../model-1/model/\n",
                        "model: {name: m}\n",
                        "model.path is required in an inline model"),
                row(
                        "model on the web",
                        "model:\n  path: ../../model-1/model/\n",
                        "model: {path: 'https://example.com/m.pkl'}\n",
                        "model.path must be a local folder"),
                row(
                        "triton model",
                        "model:\n  path: ../../model-1/model/\n",
                        "model: {path: ./m, type: triton_model}\n",
                        "model.type must be custom_model or mlflow_model"),
                row(
                        "model field unknown",
                        "model:\n  path: ../../model-1/model/\n",
                        "model: {path: ./m, flavors: {}}\n",
                        "model: unknown field 'flavors'"),
                row(
                        "model mount path",
                        "instance_count: 1\n",
                        "instance_count: 1\nmodel_mount_path: /m\n",
                        "model_mount_path is for custom containers"),
                row(
                        "no code configuration",
                        "code_configuration:\n  code: ../../model-1/onlinescoring/\n" + "  scoring_script: score.py\n",
                        "",
                        "code_configuration is required"),
                row(
                        "no scoring script",
                        "  scoring_script: score.py\n",
                        "",
                        "code_configuration.scoring_script is required"),
                row(
                        "scoring script outside code",
                        "scoring_script: score.py",
                        "scoring_script: ../score.py",
                        "code_configuration.scoring_script must be a .py file inside code_configuration.code"),
                row(
                        "code asset",
                        "code: ../../model-1/onlinescoring/",
                        "code: azureml:my-code:1",
                        "code_configuration.code 'azureml:my-code:1' is not supported"),
                row(
                        "no environment",
                        "environment: azureml://registries/azureml/environments/sklearn-1.5/labels/" + "latest\n",
                        "",
                        "environment is required"),
                row(
                        "inference config",
                        "environment: azureml://registries/azureml/environments/sklearn-1.5/labels/" + "latest\n",
                        "environment: {image: x, inference_config: {}}\n",
                        "environment.inference_config is for custom containers"),
                row(
                        "environment build",
                        "environment: azureml://registries/azureml/environments/sklearn-1.5/labels/" + "latest\n",
                        "environment: {build: {path: ./docker}}\n",
                        "environment.build is not supported for deployments"),
                row("no instance type", "instance_type: Standard_DS3_v2\n", "", "instance_type is required"),
                row(
                        "unknown instance type",
                        "Standard_DS3_v2",
                        "Standard_DS3_v9",
                        "instance_type: unknown VM size 'Standard_DS3_v9'"),
                row("no instance count", "instance_count: 1\n", "", "instance_count is required"),
                row("zero instances", "instance_count: 1", "instance_count: 0", "instance_count must be at least 1"),
                row(
                        "timeout too long",
                        "instance_count: 1",
                        "instance_count: 1\nrequest_settings: " + "{request_timeout_ms: 300000}",
                        "request_settings.request_timeout_ms must be from 1 to 180000"),
                row(
                        "concurrency zero",
                        "instance_count: 1",
                        "instance_count: 1\nrequest_settings: " + "{max_concurrent_requests_per_instance: 0}",
                        "request_settings.max_concurrent_requests_per_instance must be from 1 to 1000"),
                row(
                        "timeout as text",
                        "instance_count: 1",
                        "instance_count: 1\nrequest_settings: " + "{request_timeout_ms: 5s}",
                        "request_settings.request_timeout_ms must be a whole number"),
                row(
                        "probe period zero",
                        "instance_count: 1",
                        "instance_count: 1\nliveness_probe: {period: 0}",
                        "liveness_probe.period must be from 1 to 86400"),
                row(
                        "probe field unknown",
                        "instance_count: 1",
                        "instance_count: 1\nreadiness_probe: {path: /ok}",
                        "readiness_probe: unknown field 'path'"),
                row(
                        "target utilization",
                        "instance_count: 1",
                        "instance_count: 1\nscale_settings: "
                                + "{type: target_utilization, min_instances: 1, max_instances: 3}",
                        "scale_settings.type target_utilization is for Kubernetes online deployments"),
                row(
                        "app insights",
                        "instance_count: 1",
                        "instance_count: 1\napp_insights_enabled: true",
                        "app_insights_enabled: true is not supported"),
                row(
                        "egress disabled",
                        "instance_count: 1",
                        "instance_count: 1\negress_public_network_access: " + "disabled",
                        "egress_public_network_access: disabled is not supported"),
                row("kubernetes", "instance_count: 1", "instance_count: 1\ntype: kubernetes", "type must be managed"),
                row(
                        "data collector",
                        "instance_count: 1",
                        "instance_count: 1\ndata_collector: {collections: {}}",
                        "data_collector is not supported"),
                row(
                        "model dir variable",
                        "instance_count: 1",
                        "instance_count: 1\nenvironment_variables: " + "{AZUREML_MODEL_DIR: /m}",
                        "environment_variables.AZUREML_MODEL_DIR is set by the deployment"),
                row(
                        "bad variable name",
                        "instance_count: 1",
                        "instance_count: 1\nenvironment_variables: {1X: y}",
                        "environment variable name '1X' is not valid"),
                row(
                        "misspelt field",
                        "instance_count: 1",
                        "instance_count: 1\ninstance_cont: 2",
                        "deployment: unknown field 'instance_cont' (did you mean 'instance_count'?)"));
    }

    private static Arguments row(String name, String replace, String with, String sentenceStart) {
        return Arguments.of(name, replace, with, sentenceStart);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedDeployments")
    void refusedDeploymentFields(String row, String replace, String with, String sentenceStart) {
        assertTrue(DEPLOYMENT.contains(replace), "the row changes the base document");
        String yaml = DEPLOYMENT.replace(replace, with);
        var e = assertThrows(InvalidSpecException.class, () -> AzureMlYaml.parseOnlineDeployment(yaml));
        assertTrue(e.getMessage().startsWith(sentenceStart), e.getMessage());
        assertTrue(Sentences.isOneSentence(e.getMessage()), e.getMessage());
    }
}
