package dev.ebbtide.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.AttachedCompute;
import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Azure ML CLI v2 compute documents under test resources {@code compute/}, as the CLI's examples write them. */
class ComputeYamlTest {

    static String file(String name) throws IOException {
        try (InputStream in = ComputeYamlTest.class.getResourceAsStream("/compute/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vm-basic.yml", "vm-password.yml", "vm-own-machines.yml"})
    void attachedComputeFormsAreAcceptedAsAttachedPools(String name) throws IOException {
        ClusterSpec spec = AzureMlYaml.parseCluster(file(name));
        assertTrue(spec.isAttached(), spec.type());
        assertFalse(spec.scaled(), "Ebbtide never scales attached compute");
        assertEquals(0, spec.minInstances());
        assertEquals(ClusterSpec.ATTACHED_MAX_NODES, spec.maxInstances());
    }

    @Test
    void resourceIdAndSshSettingsAreStoredAsGiven() throws IOException {
        ClusterSpec spec = AzureMlYaml.parseCluster(file("vm-password.yml"));
        assertEquals(
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg/providers/"
                        + "Microsoft.Compute/virtualMachines/box-1",
                spec.attached().resourceId());
        assertEquals("azureuser", spec.attached().ssh().adminUsername());
        assertEquals(2222, spec.attached().ssh().sshPort());
        assertEquals("s3cret-Passw0rd!", spec.attached().ssh().adminPassword(), "stored");
        // the stored event keeps it (the compacted topic is the store), and reads back equal
        ClusterDefined event = new ClusterDefined(spec, null, Instant.parse("2026-12-01T00:00:00Z"));
        assertEquals(event, EventJson.read(EventJson.write(event), ClusterDefined.class));
    }

    @Test
    void secretsNeverShowInToStringNorInTheRedactedForm() throws IOException {
        ClusterSpec spec = AzureMlYaml.parseCluster(file("vm-password.yml"));
        assertFalse(spec.toString().contains("s3cret"), spec.toString());
        String shown = EventJson.write(spec.redacted());
        assertFalse(shown.contains("s3cret"), shown);
        assertTrue(shown.contains(AttachedCompute.HIDDEN), shown);
        ClusterSpec key = AzureMlYaml.parseCluster(file("vm-basic.yml"));
        assertFalse(EventJson.write(key.redacted()).contains("id_rsa"));
        assertFalse(key.toString().contains("id_rsa"));
    }

    @Test
    void aMachineOutsideAzureNeedsNoResourceId() throws IOException {
        ClusterSpec spec = AzureMlYaml.parseCluster(file("vm-own-machines.yml"));
        assertEquals("lab-pool", spec.name());
        assertNull(spec.attached().resourceId());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "'name: vm1\ntype: virtualmachine\nresource_id: my-vm' | resource_id must be a virtual machine's id",
                "'name: vm1\ntype: virtualmachine\nssh_settings: {admin_username: a, ssh_port: 70000}' | ssh_port must be a port number",
                "'name: vm1\ntype: virtualmachine\nssh_settings: {admin_usernme: a}' | unknown field 'admin_usernme' (did you mean 'admin_username'?)",
                "'name: vm1\ntype: virtualmachine\nsize: Standard_DS3_v2' | attached compute: unknown field 'size'",
                "'name: i1\ntype: computeinstance\nsetup_scripts: {startup: {command: x}}' | setup_scripts are not supported",
                "'name: i1\ntype: computeinstance\nidle_time_before_shutdown: 20m' | ISO 8601 duration such as PT20M",
                "'name: i1\ntype: computeinstance\nidle_time_before_shutdown: PT20M\nidle_time_before_shutdown_minutes: 20' | not both",
                "'name: i1\ntype: computeinstance\nschedules: {compute_start_stop: [{action: pause, trigger: {type: cron, expression: 0 8 * * *}}]}' | action must be start or stop",
                "'name: i1\ntype: computeinstance\nschedules: {compute_start_stop: [{action: stop, trigger: {type: recurrence}}]}' | only cron schedule triggers",
                "'name: i1\ntype: computeinstance\nschedules: {compute_start_stop: [{action: stop, trigger: {type: cron, expression: 0 25 * * *}}]}' | the hour must be 0-23, got 25",
                "'name: i1\ntype: computeinstance\nschedules: {compute_start_stop: [{action: stop, trigger: {type: cron, expression: 0 8 * * *, time_zone: Mars}}]}' | time_zone 'Mars' is not known",
                "'name: i1\ntype: computeinstance\nmin_instances: 2' | compute instance: unknown field 'min_instances'",
            })
    void badComputeDocumentsAreRefusedWithOneSentence(String yaml, String expected) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> AzureMlYaml.parseCluster(yaml));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "instance-minimal.yml,minimal-example-i,",
        "instance-basic.yml,basic-example-i,",
        "instance-idle.yml,idle-example-i,1200",
        "instance-idle-minutes.yml,idle-minutes-i,1800",
        "instance-schedule.yml,schedule-example-i,",
        "instance-network.yml,network-example-i,"
    })
    void computeInstanceFormsAreAcceptedAsOneNode(String file, String name, Long idleSeconds) throws IOException {
        ClusterSpec spec = AzureMlYaml.parseCluster(file(file));
        assertTrue(spec.isInstance());
        assertEquals(name, spec.name());
        assertEquals(1, spec.maxInstances(), "one node, never more");
        assertEquals(idleSeconds, spec.instance().idleTimeBeforeShutdownSeconds());
    }

    @Test
    void schedulesKeepTheirActionExpressionAndZone() throws IOException {
        var schedules = AzureMlYaml.parseCluster(file("instance-schedule.yml"))
                .instance()
                .schedules();
        assertEquals(2, schedules.size());
        assertEquals("stop", schedules.get(0).action());
        assertEquals("0 18 * * *", schedules.get(0).expression());
        assertEquals("UTC", schedules.get(0).timeZone());
        assertEquals("start", schedules.get(1).action());
        assertEquals("Europe/Berlin", schedules.get(1).timeZone());
    }

    @Test
    void theExamplesParse() throws IOException {
        java.nio.file.Path examples = java.nio.file.Path.of("..", "examples");
        assertTrue(AzureMlYaml.parseCluster(java.nio.file.Files.readString(examples.resolve("compute/lab.yml")))
                .isAttached());
        assertEquals(
                600L,
                AzureMlYaml.parseCluster(java.nio.file.Files.readString(examples.resolve("compute/instance.yml")))
                        .instance()
                        .idleTimeBeforeShutdownSeconds());
        assertEquals(
                "lab",
                AzureMlYaml.parseJob(java.nio.file.Files.readString(examples.resolve("compute/lab-job.yml")))
                        .compute());
        assertEquals(
                "local",
                AzureMlYaml.parseJob(java.nio.file.Files.readString(examples.resolve("local.yml")))
                        .compute());
    }

    @Test
    void olderClusterEventsWithoutATypeReadAsAmlCompute() {
        ClusterDefined old = EventJson.read(
                "{\"spec\":{\"name\":\"cpu\",\"size\":\"Standard_DS3_v2\",\"tier\":\"dedicated\","
                        + "\"minInstances\":0,\"maxInstances\":4,\"idleTimeBeforeScaleDown\":30},\"at\":\"2026-12-01T00:00:00Z\"}",
                ClusterDefined.class);
        assertTrue(old.spec().scaled());
        assertEquals(ClusterSpec.AMLCOMPUTE, old.spec().type());
    }
}
