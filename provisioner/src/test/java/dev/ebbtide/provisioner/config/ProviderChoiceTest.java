package dev.ebbtide.provisioner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.azure.AzureVmssProvider;
import dev.ebbtide.provisioner.cloud.local.LocalCloudProvider;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider is chosen by configuration, and a missing Azure setting is named in the error. */
class ProviderChoiceTest {
    @TempDir
    Path tmp;

    @Test
    void localIsTheDefault() throws Exception {
        Path jar = Files.writeString(tmp.resolve("node-agent.jar"), "");
        Files.createDirectories(tmp.resolve("lib"));
        assertTrue(
                provider(Map.of("ebbtide.local.agent-classpath", jar + ":" + tmp.resolve("lib") + "/*"))
                        instanceof LocalCloudProvider);
    }

    @Test
    void theLocalProviderNeedsTheAgentsClassPathAndSaysSoInOneSentence() {
        IllegalArgumentException blank = assertThrows(
                IllegalArgumentException.class, () -> provider(Map.of("ebbtide.local.agent-classpath", " ")));
        assertEquals(
                "ebbtide.provider=local needs ebbtide.local.agent-classpath, the node agent's jar and lib/* "
                        + "(built by ./mvnw -B -DskipTests package)",
                blank.getMessage());
        IllegalArgumentException unbuilt = assertThrows(IllegalArgumentException.class, () -> provider(Map.of()));
        assertEquals(
                "ebbtide.local.agent-classpath names node-agent/target/node-agent-0.1.0-SNAPSHOT.jar, which does "
                        + "not exist: build the node agent first (./mvnw -B -DskipTests package)",
                unbuilt.getMessage());
        IllegalArgumentException absent = assertThrows(
                IllegalArgumentException.class,
                () -> provider(Map.of(
                        "ebbtide.local.agent-classpath", tmp.resolve("nope.jar").toString())));
        assertTrue(
                absent.getMessage()
                        .startsWith("ebbtide.local.agent-classpath names " + tmp.resolve("nope.jar")
                                + ", which does not exist"),
                absent.getMessage());
    }

    @Test
    void azureVmssIsChosenByConfiguration() throws Exception {
        Path customData = Files.writeString(tmp.resolve("node-agent.sh"), "#!/bin/sh\nexport TOKEN=very-secret\n");
        CloudProvider provider = provider(Map.of(
                "ebbtide.provider",
                "azure-vmss",
                "ebbtide.azure.subscription-id",
                "00000000-0000-0000-0000-000000000001",
                "ebbtide.azure.resource-group",
                "ebbtide-nodes",
                "ebbtide.azure.subnet-id",
                "/subscriptions/x/subnets/nodes",
                "ebbtide.azure.custom-data-file",
                customData.toString()));
        assertTrue(provider instanceof AzureVmssProvider);
        assertEquals("azure-vmss", provider.name());
        ProvisionerConfig config = config(Map.of(
                "ebbtide.azure.subscription-id",
                "s",
                "ebbtide.azure.resource-group",
                "g",
                "ebbtide.azure.subnet-id",
                "n",
                "ebbtide.azure.custom-data-file",
                customData.toString()));
        String printed = ProvisionerBeans.azureSettings(config.azure()).toString();
        assertFalse(printed.contains("very-secret"), "custom data never printed: " + printed);
    }

    @Test
    void aMissingAzureSettingIsNamed() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> provider(Map.of(
                        "ebbtide.provider",
                        "azure-vmss",
                        "ebbtide.azure.resource-group",
                        "g",
                        "ebbtide.azure.subnet-id",
                        "n")));
        assertTrue(e.getMessage().contains("ebbtide.azure.subscription-id"), e.getMessage());
    }

    @Test
    void anUnknownProviderIsRefusedWithTheChoices() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> provider(Map.of("ebbtide.provider", "gcp")));
        assertEquals("unknown ebbtide.provider 'gcp'; use local or azure-vmss", e.getMessage());
    }

    @Test
    void orphanActionIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> ProvisionerBeans.orphanAction("keep"));
        assertEquals("ADOPT", ProvisionerBeans.orphanAction("adopt").name());
    }

    private static CloudProvider provider(Map<String, String> props) {
        return new ProvisionerBeans()
                .provider(
                        config(props),
                        Clock.systemUTC(),
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
                        "127.0.0.1:9092");
    }

    private static ProvisionerConfig config(Map<String, String> props) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(ProvisionerConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()) // Quarkus's "10s" form
                .withSources(new PropertiesConfigSource(new HashMap<>(props), "test", 100))
                .build();
        return config.getConfigMapping(ProvisionerConfig.class);
    }
}
