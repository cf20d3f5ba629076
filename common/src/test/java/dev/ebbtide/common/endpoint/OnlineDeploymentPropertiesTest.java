package dev.ebbtide.common.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ebbtide.common.Sentences;
import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.InvalidSpecException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever the text, reading it answers a deployment (or endpoint) or one sentence: never another exception. */
class OnlineDeploymentPropertiesTest {

    @Property(tries = 1500)
    void anyTextIsADeploymentOrOneSentence(@ForAll("documents") String text) {
        try {
            OnlineDeployment d = AzureMlYaml.parseOnlineDeployment(text);
            assertNotNull(d.name());
            assertNotNull(d.scoringScript());
            assertTrue(d.instanceCount() >= 1);
        } catch (InvalidSpecException e) {
            assertTrue(Sentences.isOneSentence(e.getMessage()), () -> "not one sentence: [" + e.getMessage() + "]");
        }
    }

    @Property(tries = 500)
    void anyTextIsAnEndpointOrOneSentence(@ForAll("documents") String text) {
        try {
            OnlineEndpoint e = AzureMlYaml.parseOnlineEndpoint(text);
            assertNotNull(e.name());
        } catch (InvalidSpecException e) {
            assertTrue(Sentences.isOneSentence(e.getMessage()), () -> "not one sentence: [" + e.getMessage() + "]");
        }
    }

    /** A valid deployment written as JSON (which is YAML too) reads back as written. */
    @Property(tries = 300)
    void validDeploymentsReadBackAsWritten(@ForAll("validDeployments") Map<String, Object> doc) throws Exception {
        OnlineDeployment d = AzureMlYaml.parseOnlineDeployment(new ObjectMapper().writeValueAsString(doc));
        assertEquals(doc.get("name"), d.name());
        assertEquals(doc.get("instance_count"), d.instanceCount());
        Map<?, ?> requests = (Map<?, ?>) doc.get("request_settings");
        assertEquals(
                Duration.ofMillis((Integer) requests.get("request_timeout_ms")),
                d.requestSettings().requestTimeout());
        assertEquals(
                requests.get("max_concurrent_requests_per_instance"),
                d.requestSettings().maxConcurrentRequestsPerInstance());
        assertEquals(doc.get("environment_variables"), d.environmentVariables());
        assertEquals(ModelRef.Kind.LOCAL, d.model().kind());
    }

    @Provide
    Arbitrary<Map<String, Object>> validDeployments() {
        Arbitrary<String> name = Arbitraries.strings()
                .withCharRange('a', 'z')
                .numeric()
                .withChars('-')
                .ofMinLength(1)
                .ofMaxLength(30)
                .map(n -> "d" + n + "x");
        Arbitrary<Map<String, String>> env = Arbitraries.maps(
                        Arbitraries.strings()
                                .withCharRange('A', 'Z')
                                .withChars('_')
                                .ofMinLength(1)
                                .ofMaxLength(12)
                                .filter(k -> !k.equals("AZUREML_MODEL_DIR")),
                        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(30))
                .ofMaxSize(4);
        return Combinators.combine(
                        name,
                        Arbitraries.integers().between(1, 100),
                        Arbitraries.integers().between(1, 180_000),
                        Arbitraries.integers().between(1, 1000),
                        env)
                .as((n, count, timeout, concurrent, vars) -> {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("name", n);
                    doc.put("endpoint_name", "my-endpoint");
                    doc.put("model", Map.of("path", "./model"));
                    doc.put("code_configuration", Map.of("code", "./src", "scoring_script", "score.py"));
                    doc.put("environment", "azureml:my-env:1");
                    doc.put("instance_type", "Standard_DS3_v2");
                    doc.put("instance_count", count);
                    doc.put(
                            "request_settings",
                            Map.of("request_timeout_ms", timeout, "max_concurrent_requests_per_instance", concurrent));
                    doc.put("environment_variables", vars);
                    return doc;
                });
    }

    /** Fragments of real deployments, broken and recombined, with noise in between. */
    @Provide
    Arbitrary<String> documents() {
        Arbitrary<String> fragments = Arbitraries.of(
                "name: blue\n",
                "name: b\n",
                "endpoint_name: my-endpoint\n",
                "auth_mode: key\n",
                "auth_mode: aml_token\n",
                "traffic: {blue: 90, green: 10}\n",
                "traffic: [1]\n",
                "mirror_traffic: {green: 10}\n",
                "model:\n  path: ../../model-1/model/\n",
                "model: azureml:my-model:1\n",
                "model: {path: azureml://jobs/j/outputs/o}\n",
                "model: {path: 'azureml://jobs/'}\n",
                "model: [a]\n",
                "code_configuration:\n  code: ../../model-1/onlinescoring/\n  scoring_script: score.py\n",
                "code_configuration: {code: ., scoring_script: ../x.py}\n",
                "code_configuration: 3\n",
                "environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest\n",
                "environment:\n  conda_file: c.yaml\n  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\n",
                "environment: {conda_file: {dependencies: [python]}, image: x}\n",
                "environment: {}\n",
                "instance_type: Standard_DS3_v2\n",
                "instance_type: [x]\n",
                "instance_count: 1\n",
                "instance_count: -1\n",
                "instance_count: 99999999999999999999\n",
                "request_settings: {request_timeout_ms: 1000, max_concurrent_requests_per_instance: 2}\n",
                "request_settings: {request_timeout_ms: 1.5}\n",
                "liveness_probe: {period: 1, failure_threshold: 3}\n",
                "readiness_probe: []\n",
                "scale_settings: {type: default}\n",
                "scale_settings: {type: target_utilization}\n",
                "app_insights_enabled: maybe\n",
                "egress_public_network_access: enabled\n",
                "environment_variables: {A: 1, B: [x]}\n",
                "tags: {a: b}\n",
                "description: '\u2028x'\n",
                "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n",
                "  ",
                ": ",
                "- ",
                "{",
                "\"",
                "'",
                "\t",
                "&a ",
                "*a\n",
                "!!binary ",
                "\n");
        Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(8);
        return Arbitraries.oneOf(fragments, fragments, noise)
                .list()
                .ofMaxSize(25)
                .map(parts -> String.join("", parts));
    }
}
