package dev.ebbtide.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.agent.sandbox.JobUser;
import dev.ebbtide.agent.sandbox.SandboxRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigTest {

    @Test
    void takesTheLocalProvidersCommandLineAndFillsDefaults() {
        AgentConfig c = AgentConfig.parse(
                "--cluster=cpu",
                "--node=cpu-0",
                "--bootstrap.servers=127.0.0.1:19092",
                "--work-dir=/tmp/w/nodes/cpu-0",
                "--address=127.0.0.1",
                "--port=40001",
                "--heartbeat-interval=10s");
        assertEquals("cpu", c.cluster());
        assertEquals("cpu-0", c.node());
        assertEquals("127.0.0.1:19092", c.bootstrapServers());
        assertEquals(Path.of("/tmp/w/nodes/cpu-0"), c.workDir());
        assertEquals("127.0.0.1", c.address());
        assertEquals(40001, c.port());
        assertEquals(Duration.ofSeconds(10), c.heartbeatInterval());
        assertEquals(Duration.ofSeconds(30), c.stopGracePeriod());
        assertNull(c.cores());
        assertEquals("ebbtide-", c.imdsScaleSetPrefix());
    }

    @Test
    void scheduledEventsComeFromImdsOnAzureAndFromTheWorkDirsFileElsewhere() {
        AgentConfig local = AgentConfig.parse("--cluster=spot", "--node=spot-0", "--work-dir=/tmp/w/spot-0");
        assertEquals(
                new dev.ebbtide.agent.evict.ScheduledEventsSource.File(Path.of("/tmp/w/spot-0/scheduledevents.json")),
                local.eviction().source());
        assertEquals(Duration.ofSeconds(10), local.eviction().uploadReserve());
        AgentConfig azure = AgentConfig.parse("--cluster=imds", "--node=imds", "--imds-endpoint=http://127.0.0.1:9");
        assertEquals(
                new dev.ebbtide.agent.evict.ScheduledEventsSource.Imds("http://127.0.0.1:9"),
                azure.withIdentity("spot", "ebbtide-spot_0").eviction().source(),
                "decided before the names are resolved");
        assertNull(AgentConfig.parse("--cluster=a", "--node=b", "--scheduled-events=off")
                .eviction()
                .source());
        assertEquals(
                Duration.ofSeconds(3),
                AgentConfig.parse("--cluster=a", "--node=b", "--eviction-upload-reserve=3s")
                        .eviction()
                        .uploadReserve());
        assertEquals(
                "scheduled-events must be auto, imds, off or file:PATH, got 'azure'",
                assertThrows(
                                AgentConfig.BadConfig.class,
                                () -> AgentConfig.parse("--cluster=a", "--node=b", "--scheduled-events=azure"))
                        .getMessage());
    }

    @Test
    void defaultsWhenOnlyTheNamesAreGiven() {
        AgentConfig c = AgentConfig.parse("--cluster=a", "--node=b");
        assertEquals(AgentConfig.DEFAULT_BOOTSTRAP, c.bootstrapServers());
        assertEquals(29500, c.port());
        assertEquals(AgentConfig.DEFAULT_WORK_DIR, c.workDir());
        assertNull(c.address());
        assertTrue(c.kafka().isEmpty());
        assertEquals(SandboxRuntime.Mode.BWRAP, c.sandbox(), "sandboxed unless explicitly opted out");
        assertEquals(new JobUser(65534, 65534), c.jobUser());
        assertEquals(List.of(), c.sandboxHide());
        assertNull(c.configFile());
    }

    @Test
    void readsTheSandboxSettingsAndRemembersTheConfigFile(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("agent.properties");
        Files.writeString(file, "cluster=c\nnode=n\nsandbox-hide=/srv/a, /srv/b/../c\n");
        AgentConfig c = AgentConfig.parse("--config=" + file, "--sandbox=none", "--job-user=1000:100");
        assertEquals(SandboxRuntime.Mode.NONE, c.sandbox());
        assertEquals(new JobUser(1000, 100), c.jobUser());
        assertEquals(List.of(Path.of("/srv/a"), Path.of("/srv/c")), c.sandboxHide());
        assertEquals(file.toAbsolutePath(), c.configFile());
    }

    @Test
    void passesKafkaSettingsThroughAndNeverPrintsTheirValues(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("agent.properties");
        Files.writeString(file, """
                cluster=imds
                node=imds
                bootstrap.servers=ns.servicebus.windows.net:9093
                kafka.security.protocol=SASL_SSL
                kafka.sasl.mechanism=PLAIN
                kafka.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="$ConnectionString" password="Endpoint=sb://x/;SharedAccessKey=TOPSECRET";
                stop-grace-period=5s
                """);
        AgentConfig c = AgentConfig.parse("--config=" + file, "--stop-grace-period=7s");
        assertEquals("SASL_SSL", c.kafka().get("security.protocol"));
        assertTrue(c.kafka().get("sasl.jaas.config").contains("TOPSECRET"));
        assertEquals(Duration.ofSeconds(7), c.stopGracePeriod(), "the command line wins over the file");
        assertFalse(c.toString().contains("TOPSECRET"));
        assertTrue(c.toString().contains("sasl.jaas.config"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--node=n                                | --cluster is required",
                "--cluster=c                             | --node is required",
                "--cluster=c --node=n --port=x           | port must be a whole number, got 'x'",
                "--cluster=c --node=n --port=70000       | port must be at most 65535, got 70000",
                "--cluster=c --node=n --heartbeat-interval=often | heartbeat-interval must be a duration such as 10s, 500ms or 2m, got 'often'",
                "--cluster=c --node=n --stop-grace-period=0s | stop-grace-period must be positive, got '0s'",
                "--cluster=c --node=n --colour=blue      | unknown option 'colour' (see node-agent/README.md for the options)",
                "--cluster=c --node=n cpu                | argument 'cpu' is not of the form --key=value",
                "--cluster=c --node=n --sandbox=docker   | sandbox must be bwrap or none, got 'docker'",
                "--cluster=c --node=n --runtime=podman   | runtime must be bwrap or docker, got 'podman'",
                "--cluster=c --node=n --job-user=nobody  | job-user must be UID:GID or UID (numbers), got 'nobody'",
                "--cluster=c --node=n --job-user=0:0     | job-user must not be root (uid and gid above 0), got 0:0",
                "--cluster=c --node=n --sandbox-hide=srv | sandbox-hide takes absolute paths separated by commas, got 'srv'",
                "--cluster=c --node=n --config=/nonexistent/agent.properties | cannot read the config file /nonexistent/agent.properties",
            })
    void refusesBadSettingsWithOneSentence(String args, String message) {
        var e = assertThrows(
                AgentConfig.BadConfig.class, () -> AgentConfig.parse(args.trim().split("\\s+")));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"10s,10000", "500ms,500", "2m,120000", "1h,3600000", "PT3S,3000"})
    void readsDurationsInTheUsersUnits(String text, long millis) {
        assertEquals(millis, AgentConfig.parseDuration("x", text).toMillis());
    }

    @Test
    void imdsGivesTheVmNameAndTheClusterFromTheScaleSet() {
        AgentConfig c = AgentConfig.parse("--cluster=imds", "--node=imds");
        AgentConfig resolved = Imds.identity(c, """
                {"name":"ebbtide-gpu_3","vmScaleSetName":"ebbtide-gpu","location":"westeurope"}""");
        assertEquals("ebbtide-gpu_3", resolved.node());
        assertEquals("gpu", resolved.cluster());
        AgentConfig named = Imds.identity(
                AgentConfig.parse("--cluster=mine", "--node=imds"), "{\"name\":\"vm1\",\"vmScaleSetName\":\"other\"}");
        assertEquals("mine", named.cluster());
        assertThrows(AgentConfig.BadConfig.class, () -> Imds.identity(c, "{\"name\":\"vm1\"}"));
        assertThrows(AgentConfig.BadConfig.class, () -> Imds.identity(c, "not json"));
    }

    @Test
    void readsMemoryFromMeminfo(@TempDir Path tmp) throws Exception {
        Path meminfo = Files.writeString(tmp.resolve("meminfo"), "MemTotal:       24684544 kB\nMemFree: 1 kB\n");
        assertEquals(24106, HostFacts.readMemoryMb(meminfo));
        assertEquals(0, HostFacts.readMemoryMb(tmp.resolve("missing")));
        assertEquals(Map.of(), AgentConfig.parse("--cluster=a", "--node=b").kafka());
    }

    @Test
    void runtimeIsBwrapUnlessDockerIsAsked() {
        assertEquals(
                dev.ebbtide.agent.sandbox.ContainerRuntime.Kind.BWRAP,
                AgentConfig.parse("--cluster=c", "--node=n").data().runtime());
        assertEquals(
                dev.ebbtide.agent.sandbox.ContainerRuntime.Kind.DOCKER,
                AgentConfig.parse("--cluster=c", "--node=n", "--runtime=docker")
                        .data()
                        .runtime());
    }
}
