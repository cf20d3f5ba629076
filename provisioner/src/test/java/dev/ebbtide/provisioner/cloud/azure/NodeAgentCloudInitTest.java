package dev.ebbtide.provisioner.cloud.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ebbtide.devsupport.DebianPackages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The custom data that turns a scale set VM into a node: valid cloud-config, secrets only in a 0600 file. */
class NodeAgentCloudInitTest {
    static final String SECRET =
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=FAKE-not-a-key";
    static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$ConnectionString\" password=\""
                    + SECRET + "\";";
    static final NodeAgentCloudInit.Settings SETTINGS = new NodeAgentCloudInit.Settings(
            "https://ebbtidestore.blob.core.windows.net/agent/node-agent-0.1.0.tar.gz?sv=2024&sig=abc%2Bd",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "ns.servicebus.windows.net:9093",
            Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN", "sasl.jaas.config", JAAS),
            "ebbtide-");
    static final NodeAgentCloudInit.Settings WITH_DATASTORE = new NodeAgentCloudInit.Settings(
            SETTINGS.packageUrl(),
            SETTINGS.packageSha256(),
            SETTINGS.bootstrapServers(),
            SETTINGS.kafka(),
            "ebbtide-",
            new NodeAgentCloudInit.Datastore("ebbtidedata", "azureml-blobstore", null));
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;

    @Test
    void installsAJreTheCheckedAgentAndASystemdUnit() throws Exception {
        String text = NodeAgentCloudInit.render(SETTINGS);
        assertTrue(text.startsWith("#cloud-config\n"));
        JsonNode doc = YAML.readTree(text);
        assertTrue(doc.path("packages").toString().contains("openjdk-17-jre-headless"));
        assertTrue(doc.path("packages").toString().contains("\"bubblewrap\""), "ranks run in bwrap");
        JsonNode props = doc.path("write_files").get(0);
        assertEquals("/etc/ebbtide/agent.properties", props.path("path").asText());
        assertEquals("0600", props.path("permissions").asText());
        Properties p = new Properties();
        p.load(new java.io.StringReader(props.path("content").asText()));
        assertEquals("imds", p.getProperty("node"));
        assertEquals("imds", p.getProperty("cluster"));
        assertEquals("ebbtide-", p.getProperty("imds-scale-set-prefix"));
        assertEquals("ns.servicebus.windows.net:9093", p.getProperty("bootstrap.servers"));
        assertEquals(JAAS, p.getProperty("kafka.sasl.jaas.config"), "the agent reads back exactly what was configured");
        assertEquals("SASL_SSL", p.getProperty("kafka.security.protocol"));
        assertEquals("bwrap", p.getProperty("sandbox"));
        assertEquals(
                "/etc/ebbtide,/var/lib/waagent,/var/lib/cloud",
                p.getProperty("sandbox-hide"),
                "the agent's credentials and the custom data that carries them are hidden from jobs");
        String unit = doc.path("write_files").get(1).path("content").asText();
        assertTrue(unit.contains("Restart=always") && unit.contains("KillMode=process"), unit);
        assertTrue(unit.contains("dev.ebbtide.agent.NodeAgentMain --config=/etc/ebbtide/agent.properties"), unit);
        assertFalse(unit.contains("FAKE-not-a-key"), "the secret is only in the 0600 file");
        String runcmd = doc.path("runcmd").toString();
        assertTrue(runcmd.contains("sha256sum -c") && runcmd.contains(SETTINGS.packageSha256()), runcmd);
        assertTrue(runcmd.contains("enable") && runcmd.contains("ebbtide-agent.service"), runcmd);
        assertEquals(1, text.split("FAKE-not-a-key", -1).length - 1, "the secret appears once");
        assertFalse(SETTINGS.toString().contains("FAKE-not-a-key"));
    }

    @Test
    void refusesSettingsThatWouldBreakTheDocument() {
        assertThrows(
                IllegalArgumentException.class,
                () -> NodeAgentCloudInit.render(new NodeAgentCloudInit.Settings(
                        "https://x/a b.tgz", SETTINGS.packageSha256(), "k:9093", Map.of(), null)));
        assertThrows(
                IllegalArgumentException.class,
                () -> NodeAgentCloudInit.render(
                        new NodeAgentCloudInit.Settings(SETTINGS.packageUrl(), "abc", "k:9093", Map.of(), null)));
        assertThrows(
                IllegalArgumentException.class,
                () -> NodeAgentCloudInit.render(new NodeAgentCloudInit.Settings(
                        SETTINGS.packageUrl(), SETTINGS.packageSha256(), "k:9093", Map.of("a\nb", "x"), null)));
        assertThrows(
                IllegalArgumentException.class,
                () -> NodeAgentCloudInit.render(new NodeAgentCloudInit.Settings(
                        SETTINGS.packageUrl(),
                        SETTINGS.packageSha256(),
                        "k:9093",
                        Map.of("sasl.jaas.config", "x\ny"),
                        null)));
    }

    @Test
    void passesTheRealCloudInitSchemaCheck() throws Exception {
        Path file = Files.writeString(tmp.resolve("custom-data.yml"), NodeAgentCloudInit.render(SETTINGS));
        String cloudInit = cloudInit();
        Process p = new ProcessBuilder(cloudInit, "schema", "-c", file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        // the output names the file and the problem, never the content, so it is safe to show
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("Valid cloud-config"), out);
    }

    @Test
    void installsDockerRunsImagesInContainersAndGivesTheDatastoreThroughTheManagedIdentity() throws Exception {
        String text = NodeAgentCloudInit.render(WITH_DATASTORE);
        JsonNode doc = YAML.readTree(text);
        assertTrue(doc.path("packages").toString().contains("\"docker.io\""), "the container runtime");
        assertFalse(
                doc.path("packages").toString().contains("nvidia"),
                "the toolkit is not installed on every size: only where the image has an NVIDIA driver");
        String runcmd = doc.path("runcmd").toString();
        assertTrue(runcmd.contains("docker.service"), runcmd);
        assertTrue(
                runcmd.contains("nvidia-smi -L")
                        && runcmd.contains("nvidia-container-toolkit")
                        && runcmd.contains("nvidia-ctk runtime configure --runtime=docker"),
                runcmd);
        Properties p = new Properties();
        p.load(new java.io.StringReader(
                doc.path("write_files").get(0).path("content").asText()));
        assertEquals("docker", p.getProperty("runtime"));
        assertEquals("/var/lib/ebbtide-images", p.getProperty("images-dir"));
        assertEquals("ebbtidedata", p.getProperty("datastore-account"));
        assertEquals("azureml-blobstore", p.getProperty("datastore-container"));
        assertEquals("identity", p.getProperty("datastore-credential"), "managed identity: no key in custom data");
        assertEquals(null, p.getProperty("datastore-credential-file"));
        assertEquals(null, p.getProperty("datastore-endpoint"), "the default endpoint from the account");
        String unit = doc.path("write_files").get(1).path("content").asText();
        assertTrue(unit.contains("After=network-online.target docker.service"), unit);
        assertFalse(text.toLowerCase(java.util.Locale.ROOT).contains("accountkey"), "no storage secret anywhere");
        assertEquals(
                1,
                text.split("sig=", -1).length - 1,
                "no SAS token for the datastore: the package URL's is the only one");
    }

    @Test
    void withoutADatastoreTheNodesHaveNone() throws Exception {
        Properties p = new Properties();
        p.load(new java.io.StringReader(YAML.readTree(NodeAgentCloudInit.render(SETTINGS))
                .path("write_files")
                .get(0)
                .path("content")
                .asText()));
        assertEquals(null, p.getProperty("datastore-account"));
        assertEquals("docker", p.getProperty("runtime"));
    }

    @Test
    void refusesADatastoreNameAzureWouldRefuse() {
        assertThrows(
                IllegalArgumentException.class,
                () -> NodeAgentCloudInit.render(new NodeAgentCloudInit.Settings(
                        SETTINGS.packageUrl(),
                        SETTINGS.packageSha256(),
                        "k:9093",
                        Map.of(),
                        null,
                        new NodeAgentCloudInit.Datastore("Bad Account", "c1c", null))));
        assertThrows(
                IllegalArgumentException.class,
                () -> NodeAgentCloudInit.render(new NodeAgentCloudInit.Settings(
                        SETTINGS.packageUrl(),
                        SETTINGS.packageSha256(),
                        "k:9093",
                        Map.of(),
                        null,
                        new NodeAgentCloudInit.Datastore("acct", "Bad_Container", null))));
    }

    @Test
    void theRenderingWithADatastorePassesTheRealCloudInitSchemaCheck() throws Exception {
        Path file = Files.writeString(tmp.resolve("custom-data-ds.yml"), NodeAgentCloudInit.render(WITH_DATASTORE));
        Process p = new ProcessBuilder(cloudInit(), "schema", "-c", file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    /** cloud-init's path; installed once with apt-get when running as root, else the test is skipped. */
    static String cloudInit() throws IOException, InterruptedException {
        return DebianPackages.tool("cloud-init", "cloud-init")
                .orElseGet(() -> Assumptions.abort(DebianPackages.whyMissing("cloud-init", "cloud-init")));
    }
}
