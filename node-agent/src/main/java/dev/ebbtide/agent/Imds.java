package dev.ebbtide.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.EventJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The Azure Instance Metadata Service: the VM's own name and scale set, with no secret needed. Resolves
 * {@code node=imds} and {@code cluster=imds}.
 */
final class Imds {
    static final String PATH = "/metadata/instance/compute?api-version=2021-02-01";

    private Imds() {}

    /** The configuration with {@code imds} names replaced; tries for about 30 s (IMDS may lag at first boot). */
    static AgentConfig resolve(AgentConfig config) throws InterruptedException {
        if (!AgentConfig.IMDS.equals(config.node()) && !AgentConfig.IMDS.equals(config.cluster())) {
            return config;
        }
        String body = null;
        String problem = null;
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < 10 && body == null; i++) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(config.imdsEndpoint() + PATH))
                                .header("Metadata", "true")
                                .timeout(Duration.ofSeconds(3))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    body = r.body();
                } else {
                    problem = "HTTP " + r.statusCode();
                }
            } catch (IOException e) {
                problem = e.getClass().getSimpleName();
            }
            if (body == null) {
                Thread.sleep(3000);
            }
        }
        if (body == null) {
            throw new AgentConfig.BadConfig("node or cluster is 'imds' but the instance metadata service at "
                    + config.imdsEndpoint() + " did not answer (" + problem + ")");
        }
        return identity(config, body);
    }

    /** Pure: applies an IMDS compute document to the configuration. */
    static AgentConfig identity(AgentConfig config, String computeJson) {
        JsonNode doc;
        try {
            doc = EventJson.mapper().readTree(computeJson);
        } catch (IOException e) {
            throw new AgentConfig.BadConfig("the instance metadata service answered with something that is not JSON");
        }
        String node = config.node();
        String cluster = config.cluster();
        if (AgentConfig.IMDS.equals(node)) {
            node = doc.path("name").asText("");
            if (node.isEmpty()) {
                throw new AgentConfig.BadConfig("the instance metadata service gave no VM name");
            }
        }
        if (AgentConfig.IMDS.equals(cluster)) {
            String vmss = doc.path("vmScaleSetName").asText("");
            if (vmss.isEmpty()) {
                throw new AgentConfig.BadConfig("cluster=imds but this VM is not in a scale set");
            }
            String prefix = config.imdsScaleSetPrefix();
            cluster = vmss.startsWith(prefix) ? vmss.substring(prefix.length()) : vmss;
        }
        return config.withIdentity(cluster, node);
    }
}
