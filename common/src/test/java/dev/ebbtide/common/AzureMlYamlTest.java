package dev.ebbtide.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.azureml.InvalidSpecException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AzureMlYamlTest {

    @Test
    void readsTheDomainBriefsCommandJob() {
        var job = AzureMlYaml.parseJob("""
                $schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
                type: command
                command: python train.py --epochs 3
                environment_variables: {LR: "0.01"}
                compute: azureml:gpu-cluster
                resources:
                  instance_count: 2
                distribution: {type: pytorch, process_count_per_instance: 1}
                limits: {timeout: 3600}
                queue_settings: {priority: high}
                experiment_name: demo
                display_name: run-1
                """);
        assertEquals("gpu-cluster", job.compute());
        assertEquals("python train.py --epochs 3", job.spec().command());
        assertEquals(2, job.spec().instanceCount());
        assertEquals(Map.of("LR", "0.01"), job.spec().environmentVariables());
        assertEquals("high", job.spec().priority());
        assertEquals(3600L, job.spec().timeoutSeconds());
        assertEquals("demo", job.spec().experimentName());
        assertEquals("run-1", job.spec().displayName());
    }

    @Test
    void jsonIsAcceptedAndDefaultsApply() {
        var job = AzureMlYaml.parseJob("{\"command\": \"echo hi\", \"compute\": \"local\"}");
        assertEquals("local", job.compute());
        assertEquals(1, job.spec().instanceCount());
        assertEquals("medium", job.spec().priority());
        assertNull(job.spec().timeoutSeconds());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "command: [unclosed | not valid YAML or JSON",
        "just a string | must be a mapping",
        "compute: azureml:x | has no 'command'",
        "command: echo | has no 'compute'",
        "'command: echo\ncompute: azureml:x\nresources: {instance_count: 0}' | instance_count must be >= 1",
        "'command: echo\ncompute: azureml:x\nqueue_settings: {priority: urgent}' | priority must be low, medium or high",
        "'command: echo\ncompute: azureml:x\ntype: sweep' | only command jobs",
        "'command: echo\ncompute: azureml:x\nenvironment_variables: [a]' | environment_variables must be a mapping",
    })
    void badJobsGetASentenceThatSaysWhatToFix(String yaml, String expected) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> AzureMlYaml.parseJob(yaml));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void readsAnAmlComputeClusterAndAcceptsLowPriorityAlias() {
        ClusterSpec spec = AzureMlYaml.parseCluster("""
                name: gpu-cluster
                type: amlcompute
                size: Standard_NC6s_v3
                tier: lowpriority
                min_instances: 0
                max_instances: 4
                idle_time_before_scale_down: 120
                location: westeurope
                """);
        assertEquals(new ClusterSpec("gpu-cluster", "Standard_NC6s_v3", "low_priority", 0, 4, 120, "westeurope"), spec);
    }

    @Test
    void clusterDefaultsFollowAzureMl() {
        ClusterSpec spec = AzureMlYaml.parseCluster("name: c1\ntype: amlcompute\n");
        assertEquals(0, spec.minInstances());
        assertEquals(1, spec.maxInstances());
        assertEquals(120, spec.idleTimeBeforeScaleDown());
        assertEquals("dedicated", spec.tier());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'name: c1\nmin_instances: 3\nmax_instances: 2' | max_instances must be >= 1 and >= min_instances",
        "'name: c1\nmin_instances: -1' | min_instances must be >= 0",
        "'name: C_1' | cluster name 'C_1'",
        "'name: c1\ntier: spot' | tier must be dedicated or low_priority",
        "'name: c1\ntype: kubernetes' | cluster type must be 'amlcompute'",
        "'name: c1\nmax_instances: many' | max_instances must be a whole number",
    })
    void badClustersAreRefusedWithAReason(String yaml, String expected) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> AzureMlYaml.parseCluster(yaml));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
