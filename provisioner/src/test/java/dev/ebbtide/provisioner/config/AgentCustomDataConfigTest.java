package dev.ebbtide.provisioner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.provisioner.cloud.azure.AzureSettings;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ebbtide.azure.agent.* become the scale set's custom data unless a custom-data-file is given. */
class AgentCustomDataConfigTest {
    static final Map<String, String> BASE = Map.of(
            "ebbtide.azure.subscription-id", "s", "ebbtide.azure.resource-group", "g", "ebbtide.azure.subnet-id", "n");
    static final Map<String, String> AGENT = Map.of(
            "ebbtide.azure.agent.package-url", "https://example.blob.core.windows.net/a/node-agent.tar.gz",
            "ebbtide.azure.agent.package-sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "ebbtide.azure.agent.bootstrap-servers", "kafka.internal:9093",
            "ebbtide.azure.agent.kafka.\"security.protocol\"", "SASL_SSL",
            "ebbtide.azure.agent.kafka.\"sasl.jaas.config\"", "PlainLoginModule required password=\"FAKE-secret\";");

    @TempDir
    Path tmp;

    @Test
    void agentSettingsRenderTheCustomDataWithoutEverPrintingIt() {
        AzureSettings s =
                ProvisionerBeans.azureSettings(config(merge(BASE, AGENT)).azure());
        assertTrue(s.customData().startsWith("#cloud-config"));
        assertTrue(s.customData().contains("kafka.security.protocol=SASL_SSL"), "dotted Kafka keys kept whole");
        assertTrue(
                s.customData().contains("kafka.sasl.jaas.config=PlainLoginModule required password=\"FAKE-secret\";"));
        assertTrue(s.customData().contains("bootstrap.servers=kafka.internal:9093"));
        assertFalse(s.toString().contains("FAKE-secret"));
    }

    @Test
    void aCustomDataFileWinsAndNothingIsRenderedWithoutAPackage() throws Exception {
        Path file = Files.writeString(tmp.resolve("custom.sh"), "#!/bin/sh\necho mine\n");
        Map<String, String> both = merge(merge(BASE, AGENT), Map.of("ebbtide.azure.custom-data-file", file.toString()));
        assertEquals(
                "#!/bin/sh\necho mine\n",
                ProvisionerBeans.azureSettings(config(both).azure()).customData());
        assertNull(ProvisionerBeans.azureSettings(config(BASE).azure()).customData());
        Map<String, String> noSha = merge(BASE, Map.of("ebbtide.azure.agent.package-url", "https://x/a.tgz"));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ProvisionerBeans.azureSettings(config(noSha).azure()));
        assertTrue(e.getMessage().contains("ebbtide.azure.agent.package-sha256"), e.getMessage());
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new HashMap<>(a);
        m.putAll(b);
        return m;
    }

    private static ProvisionerConfig config(Map<String, String> props) {
        return new SmallRyeConfigBuilder()
                .withMapping(ProvisionerConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(new HashMap<>(props), "test", 100))
                .build()
                .getConfigMapping(ProvisionerConfig.class);
    }
}
