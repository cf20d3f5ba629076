package dev.ebbtide.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.events.Distribution;
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
        assertEquals(new Distribution("pytorch", 1, null, null), job.spec().distribution());
    }

    /** The shapes of Azure ML's own distributed examples (azureml-examples cli/jobs/single-step/…). */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "'distribution:\n  type: pytorch\n  process_count_per_instance: 2\nresources:\n  instance_count: 2' | pytorch | 2 | | ",
                "'distribution:\n  type: tensorflow\n  worker_count: 2\nresources:\n  instance_count: 2' | tensorflow | | 2 | ",
                "'distribution:\n  type: tensorflow\n  worker_count: 2\n  parameter_server_count: 1\nresources:\n  instance_count: 3' | tensorflow | | 2 | 1",
                "'distribution:\n  type: tensorflow\n  parameter_server_count: 1\nresources:\n  instance_count: 3' | tensorflow | | | 1",
                "'distribution:\n  type: mpi\n  process_count_per_instance: 1\nresources:\n  instance_count: 2' | mpi | 1 | | ",
                "'distribution: {type: PyTorch}\nresources: {instance_count: 4}' | pytorch | | | ",
            })
    void readsAzureMlDistributions(String section, String type, Integer processes, Integer workers, Integer servers) {
        var job = AzureMlYaml.parseJob("""
                $schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
                type: command
                command: python train.py
                code: src
                compute: azureml:gpu-cluster
                environment: azureml:AzureML-acpt-pytorch-2.2-cuda12.1@latest
                """ + section + "\n");
        assertEquals(
                new Distribution(type, processes, workers, servers), job.spec().distribution());
    }

    @Test
    void aJobWithoutDistributionHasNone() {
        assertNull(
                AzureMlYaml.parseJob("command: echo\ncompute: local\n").spec().distribution());
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
    @CsvSource(
            delimiter = '|',
            value = {
                "command: [unclosed | not valid YAML or JSON",
                "just a string | must be a mapping",
                "compute: azureml:x | has no 'command'",
                "'command: echo\ncompute: azureml:x\nresources: {instance_count: 0}' | instance_count must be >= 1",
                "'command: echo\ncompute: azureml:x\nqueue_settings: {priority: urgent}' | priority must be low, medium or high",
                "'command: echo\ncompute: azureml:x\ntype: sweep' | only command jobs",
                "'command: echo\ncompute: azureml:x\nenvironment_variables: [a]' | environment_variables must be a mapping",
                "'command: \"   \"\ncompute: azureml:x' | has no 'command'",
                "'command: echo\ncompute: azureml:x\nenvironment_variables: {1ST: a}' | name '1ST' is not valid",
                "'command: echo\ncompute: azureml:x\nenvironment_variables: {MY-VAR: a}' | name 'MY-VAR' is not valid",
                "'command: echo\ncompute: azureml:x\nenvironment_variables: {\"A=B\": a}' | name 'A=B' is not valid",
                "'command: echo\ncompute: azureml:x\nenvironment_variables: {A: \"x\\0y\"}' | A contains a NUL byte",
                "'command: echo\ncompute: azureml:x\ndistribution: {type: ray}' | distribution type must be pytorch, tensorflow or mpi, got 'ray'",
                "'command: echo\ncompute: azureml:x\ndistribution: {process_count_per_instance: 2}' | distribution has no 'type'",
                "'command: echo\ncompute: azureml:x\ndistribution: pytorch' | distribution must be a mapping",
                "'command: echo\ncompute: azureml:x\ndistribution: {type: pytorch, process_count_per_instance: 0}' | process_count_per_instance must be a whole number of at least 1, got '0'",
                "'command: echo\ncompute: azureml:x\ndistribution: {type: mpi, process_count_per_instance: 1.5}' | must be a whole number of at least 1, got '1.5'",
                "'command: echo\ncompute: azureml:x\ndistribution: {type: pytorch, worker_count: 2}' | are for distribution type tensorflow, not pytorch",
                "'command: echo\ncompute: azureml:x\ndistribution: {type: tensorflow, process_count_per_instance: 2}' | tensorflow runs one task per node",
                "'command: echo\ncompute: azureml:x\nresources: {instance_count: 2}\ndistribution: {type: tensorflow, worker_count: 2, parameter_server_count: 1}' | worker_count (2) plus parameter_server_count (1) must equal resources.instance_count (2)",
                "'command: echo\ncompute: azureml:x\ndistribution: {type: tensorflow, worker_count: 0}' | worker_count must be a whole number of at least 1",
                "'command: echo\ncompute: azureml:x\ndistribution: {type: pytorch, nodes: 2}' | unknown field 'nodes'",
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
    @CsvSource(
            delimiter = '|',
            value = {
                "'name: c1\nmin_instances: 3\nmax_instances: 2' | max_instances must be >= 1 and >= min_instances",
                "'name: c1\nmin_instances: -1' | min_instances must be >= 0",
                "'name: C_1' | cluster name 'C_1'",
                "'name: c1\ntier: spot' | tier must be dedicated or low_priority",
                "'name: c1\ntype: kubernetes' | compute type must be amlcompute, virtualmachine or computeinstance",
                "'name: c1\nmax_instances: many' | max_instances must be a whole number",
            })
    void badClustersAreRefusedWithAReason(String yaml, String expected) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> AzureMlYaml.parseCluster(yaml));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "resources: {instance_count: 2.9}|resources.instance_count must be a whole number, got '2.9'",
                "resources: {instance_count: 2.0}|resources.instance_count must be a whole number, got '2.0'",
                "resources: {instance_count: '3x'}|resources.instance_count must be a whole number, got '3x'",
                "resources: {instance_count: 99999999999}|resources.instance_count is out of range, got '99999999999'",
                "limits: {timeout: 2.5}|limits.timeout must be a whole number, got '2.5'",
                "limits: {timeout: 1h}|limits.timeout must be a whole number, got '1h'"
            })
    void aNumberThatIsNotWholeIsAnErrorNotTruncated(String line, String message) {
        InvalidSpecException e = assertThrows(
                InvalidSpecException.class,
                () -> AzureMlYaml.parseJob("command: echo\ncompute: azureml:c\n" + line + "\n"));
        assertEquals(message, e.getMessage());
    }

    @Test
    void wholeNumbersMayBeWrittenAsText() {
        AzureMlYaml.ParsedJob job = AzureMlYaml.parseJob(
                "command: echo\ncompute: azureml:c\n" + "resources: {instance_count: '3'}\nlimits: {timeout: '60'}\n");
        assertEquals(3, job.spec().instanceCount());
        assertEquals(60L, job.spec().timeoutSeconds());
    }
}
