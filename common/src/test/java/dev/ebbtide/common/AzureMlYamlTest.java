package dev.ebbtide.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.events.Distribution;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.job.CodeRef;
import dev.ebbtide.common.job.JobEnvironment;
import dev.ebbtide.common.job.JobInput;
import dev.ebbtide.common.job.JobOutput;
import java.util.List;
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
        assertNull(job.spec().code(), "no code: line");
        assertNull(job.spec().environment(), "no environment: line: the node's default");
        assertEquals(Map.of(), job.localPaths());
    }

    @Test
    void codeAndEnvironmentBecomeWhatTheNodeNeeds() {
        var job = AzureMlYaml.parseJob("""
                command: python train.py --data ${{inputs.data}} --out ${{outputs.model}} --lr ${{inputs.lr}}
                code: ./src
                inputs:
                  data: {type: uri_folder, path: azureml://datastores/workspaceblobstore/paths/cifar/, mode: download}
                  lr: {type: number, default: 0.01}
                outputs:
                  model: {type: mlflow_model, path: azureml://datastores/workspaceblobstore/paths/models/, mode: upload}
                environment:
                  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest
                  conda_file:
                    name: train
                    dependencies: [python=3.10, {pip: [torch]}]
                tags: {team: vision, stage: 2}
                description: a training run
                """);
        JobSpec spec = job.spec();
        assertEquals("./src", job.codePath(), "kept as written for the CLI to snapshot next to the YAML");
        assertNull(spec.code(), "no snapshot until the CLI uploads one");
        assertEquals(
                JobInput.data("uri_folder", "azureml://datastores/workspaceblobstore/paths/cifar/", "download"),
                spec.inputs().get("data"));
        assertEquals(JobInput.literal("number", "0.01"), spec.inputs().get("lr"));
        assertEquals(
                new JobOutput("mlflow_model", "azureml://datastores/workspaceblobstore/paths/models/", "upload"),
                spec.outputs().get("model"));
        JobEnvironment env = spec.environment();
        assertEquals("mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest", env.image());
        assertEquals("name: train\ndependencies:\n- python=3.10\n- pip:\n  - torch\n", env.condaFile());
        assertNull(job.condaFilePath());
        assertEquals(Map.of("team", "vision", "stage", "2"), spec.tags());
        assertEquals("a training run", spec.description());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "snapshot | azureml://datastores/workspaceblobstore/paths/LocalUpload/"
                        + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/code.tar.gz | sha256:"
                        + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | ",
                "relative folder | src | | src",
                "parent folder | ../shared/src | | ../shared/src",
                "absolute folder | /home/me/project | | /home/me/project",
            })
    void codeIsASnapshotOrALocalFolder(String row, String code, String digest, String local) {
        var job = AzureMlYaml.parseJob("command: ls\ncode: " + code + "\n");
        assertEquals(
                digest == null ? null : new CodeRef(code, digest), job.spec().code());
        assertEquals(local, job.codePath());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "image | 'environment: {image: python:3.11}' | image python:3.11 | ",
                "image and conda file | 'environment: {image: python:3.11, conda_file: env/conda.yml}' | image python:3.11 | env/conda.yml",
                "asset latest | 'environment: azureml:AzureML-sklearn-1.5@latest' | environment azureml:AzureML-sklearn-1.5@latest | ",
                "asset version | 'environment: azureml:my-env:3' | environment azureml:my-env:3 | ",
                "registry label | 'environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest' | environment azureml://registries/azureml/environments/sklearn-1.5/labels/latest | ",
                "registry version | 'environment: azureml://registries/azureml/environments/sklearn-1.5/versions/22' | environment azureml://registries/azureml/environments/sklearn-1.5/versions/22 | ",
                "build | 'environment: {build: {path: docker-context}}' | environment built from docker-context | ",
                "inline with name and tags | 'environment: {name: e, version: 1, description: d, tags: {a: b}, image: python}' | image python | ",
            })
    void environmentForms(String row, String line, String described, String condaPath) {
        var job = AzureMlYaml.parseJob("command: ls\n" + line + "\n");
        assertEquals(described, job.spec().environment().describe());
        assertEquals(condaPath, job.condaFilePath());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "string | 'x: \"hello world\"' | string | hello world",
                "integer | 'x: 42' | integer | 42",
                "number | 'x: 3.5' | number | 3.5",
                "boolean | 'x: true' | boolean | true",
                "quoted number is a string | 'x: \"42\"' | string | 42",
                "typed integer default | 'x: {type: integer, default: 7}' | integer | 7",
                "typed integer as text | 'x: {type: integer, value: \"7\"}' | integer | 7",
                "typed number value | 'x: {type: number, value: 1e-3}' | number | 0.001",
                "typed boolean | 'x: {type: boolean, default: False}' | boolean | false",
                "typed string from number | 'x: {type: string, default: 0.10}' | string | 0.1",
                "untyped default | 'x: {default: 5}' | integer | 5",
                "url is a literal | 'x: https://example.com/a.csv' | string | https://example.com/a.csv",
            })
    void literalInputs(String row, String input, String type, String value) {
        var job = AzureMlYaml.parseJob("command: echo ${{inputs.x}}\ninputs:\n  " + input + "\n");
        assertEquals(JobInput.literal(type, value), job.spec().inputs().get("x"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "datastore file | '{type: uri_file, path: azureml://datastores/ds/paths/a/b.csv}' | uri_file | azureml://datastores/ds/paths/a/b.csv | ro_mount | ",
                "folder by default | '{path: azureml://datastores/ds/paths/a/}' | uri_folder | azureml://datastores/ds/paths/a/ | ro_mount | ",
                "asset | '{type: uri_folder, path: azureml:cifar@latest, mode: download}' | uri_folder | azureml:cifar@latest | download | ",
                "job output | '{type: uri_folder, path: azureml://jobs/j1/outputs/model}' | uri_folder | azureml://jobs/j1/outputs/model | ro_mount | ",
                "wasbs | '{type: uri_file, path: wasbs://c@acct.blob.core.windows.net/x.csv}' | uri_file | wasbs://c@acct.blob.core.windows.net/x.csv | ro_mount | ",
                "web | '{type: uri_file, path: https://example.com/x.csv}' | uri_file | https://example.com/x.csv | ro_mount | ",
                "custom model | '{type: custom_model, path: azureml:m:3}' | custom_model | azureml:m:3 | ro_mount | ",
                "local folder | '{type: uri_folder, path: ./data}' | uri_folder | | ro_mount | ./data",
                "local file | '{type: uri_file, path: /tmp/x.csv, mode: download}' | uri_file | | download | /tmp/x.csv",
            })
    void dataInputs(String row, String input, String type, String path, String mode, String local) {
        var job = AzureMlYaml.parseJob("command: ls ${{inputs.x}}\ninputs:\n  x: " + input + "\n");
        assertEquals(JobInput.data(type, path, mode), job.spec().inputs().get("x"));
        assertEquals(local, job.localInputs().get("x"));
    }

    @Test
    void anOptionalInputWithoutValueIsAbsentAndItsBlockMayNameIt() {
        var job = AzureMlYaml.parseJob("""
                command: train $[[--seed ${{inputs.seed}}]]
                inputs:
                  seed: {type: integer, optional: true}
                """);
        assertEquals(Map.of(), job.spec().inputs());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "name | 'name: my-job-1' | name is not supported: Ebbtide gives each job its own id",
                "services | 'services: {jupyter: {type: jupyter_lab}}' | services (VS Code, Jupyter, TensorBoard, SSH) are not supported",
                "identity | 'identity: {type: user_identity}' | identity is not supported",
                "properties | 'properties: {a: b}' | properties is not supported: use tags",
                "is_deterministic | 'is_deterministic: true' | is_deterministic belongs to components",
                "status | 'status: Completed' | status is set by Azure ML when a job runs",
                "creation_context | 'creation_context: {created_by: me}' | creation_context is set by Azure ML",
                "parent_job_name | 'parent_job_name: p' | parent_job_name is set by Azure ML",
                "unknown with a guess | 'enviroment: {image: python}' | job: unknown field 'enviroment' (did you mean 'environment'?)",
                "unknown | 'trial: {command: ls}' | job: unknown field 'trial'",
                "shm_size | 'resources: {shm_size: 2g}' | resources.shm_size is not supported",
                "docker_args | 'resources: {docker_args: --privileged}' | resources.docker_args is not supported",
                "resources unknown | 'resources: {instance_cont: 2}' | resources: unknown field 'instance_cont' (did you mean 'instance_count'?)",
                "job_tier spot | 'queue_settings: {job_tier: spot}' | queue_settings.job_tier 'spot' is not supported",
                "limits unknown | 'limits: {max_total_trials: 3}' | limits: unknown field 'max_total_trials'",
                "git code | 'code: git+https://github.com/a/b' | code: git+https://github.com/a/b is not supported: clone the repository",
                "code asset | 'code: azureml:my-code:1' | code: azureml:my-code:1 (a registered code asset) is not supported",
                "code url | 'code: https://example.com/src.zip' | code: https://example.com/src.zip is not supported",
                "code other datastore path | 'code: azureml://datastores/ds/paths/src' | code: azureml://datastores/ds/paths/src is not supported",
                "code mapping | 'code: {path: src}' | code must be the path of a folder",
                "input name | 'inputs: {my-data: 1}' | input name 'my-data' is not valid",
                "input null | 'inputs: {x: }' | inputs.x has no value",
                "input mltable | 'inputs: {x: {type: mltable, path: ./t}}' | inputs.x: type mltable is not supported",
                "input triton | 'inputs: {x: {type: triton_model, path: ./t}}' | inputs.x: type triton_model is not supported",
                "input type | 'inputs: {x: {type: uri_files, path: ./t}}' | inputs.x.type must be string, integer",
                "input rw_mount | 'inputs: {x: {path: ./t, mode: rw_mount}}' | inputs.x.mode 'rw_mount' is not supported",
                "input direct | 'inputs: {x: {path: ./t, mode: direct}}' | inputs.x.mode 'direct' is not supported",
                "input eval_mount | 'inputs: {x: {path: ./t, mode: eval_mount}}' | inputs.x.mode 'eval_mount' is not supported",
                "input no path | 'inputs: {x: {type: uri_file}}' | inputs.x has no path",
                "input bad uri | 'inputs: {x: {path: \"runs:/abc/model\"}}' | inputs.x: 'runs:/abc/model' is not a data path",
                "input unknown field | 'inputs: {x: {path: ./t, datastore: ds}}' | inputs.x: unknown field 'datastore'",
                "integer literal | 'inputs: {x: {type: integer, value: 2.5}}' | inputs.x must be an integer, got '2.5'",
                "boolean literal | 'inputs: {x: {type: boolean, value: yes please}}' | inputs.x must be a boolean, got 'yes please'",
                "literal without value | 'inputs: {x: {type: string}}' | inputs.x has no value: give it a value or a default",
                "output name | 'outputs: {1out: }' | output name '1out' is not valid",
                "output path | 'outputs: {o: {path: ./local}}' | outputs.o.path must be azureml://datastores/<name>/paths/<path>, got './local'",
                "output web path | 'outputs: {o: {path: https://x.y/z}}' | outputs.o.path must be azureml://datastores/<name>/paths/<path>",
                "output mode | 'outputs: {o: {mode: direct}}' | outputs.o.mode 'direct' is not supported",
                "output mltable | 'outputs: {o: {type: mltable}}' | outputs.o.type must be uri_folder, uri_file, mlflow_model or custom_model, got 'mltable'",
                "output asset | 'outputs: {o: {name: m, version: 1}}' | outputs.o: registering an output as a data asset",
                "output scalar | 'outputs: {o: azureml://datastores/d/paths/p}' | outputs.o must be a mapping",
                "env file | 'environment: file:./env.yml' | environment: file:./env.yml (an environment file) is not supported",
                "env bare name | 'environment: sklearn' | environment 'sklearn' is not a form Ebbtide reads",
                "env image and build | 'environment: {image: a, build: {path: b}}' | environment has both image and build",
                "env neither | 'environment: {name: e}' | environment needs image: (a container image) or build: {path}",
                "env conda with build | 'environment: {build: {path: b}, conda_file: c.yml}' | environment.conda_file goes with image, not build",
                "env dockerfile | 'environment: {build: {path: b, dockerfile_path: docker/Dockerfile.gpu}}' | environment.build.dockerfile_path 'docker/Dockerfile.gpu' is not supported",
                "env windows | 'environment: {image: a, os_type: windows}' | environment.os_type 'windows' is not supported",
                "env unknown | 'environment: {image: a, inference_config: {}}' | environment: unknown field 'inference_config'",
                "tags list | 'tags: [a, b]' | tags must be a mapping",
                "tag value mapping | 'tags: {a: {b: c}}' | tags.a must be a single value",
                "checkpoint undeclared | 'tags: {ebbtide.checkpoint: state}' | tags.ebbtide.checkpoint names output 'state', which the job does not declare; declared outputs: none",
                "checkpoint file | 'outputs: {m: {type: uri_file}}\ntags: {ebbtide.checkpoint: m}' | tags.ebbtide.checkpoint names output 'm', a uri_file; a checkpoint is a folder",
                "env var list | 'environment_variables: {A: [1]}' | environment_variables.A must be a single value",
                "command list | 'command: [ls]' | command must be text",
            })
    void everyFieldIsHonouredOrRefusedWithASentence(String row, String line, String expected) {
        String yaml = (line.startsWith("command:") ? "" : "command: ls\n") + line + "\n";
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> AzureMlYaml.parseJob(yaml));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
        assertTrue(Sentences.isOneSentence(e.getMessage()), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "undeclared input | echo ${{inputs.missing}} | command refers to ${{inputs.missing}} but the job declares no input 'missing'",
                "undeclared output | echo > ${{outputs.o}}/x | command refers to ${{outputs.o}} but the job declares no output 'o'",
                "sweep search space | train --b ${{search_space.B}} | command refers to ${{search_space.B}}, which a command job cannot fill",
                "parent expression | echo ${{parent.inputs.x}} | command refers to ${{parent.inputs.x}}, which a command job cannot fill",
            })
    void everyReferenceInTheCommandNamesADeclaredInputOrOutput(String row, String command, String expected) {
        InvalidSpecException e = assertThrows(
                InvalidSpecException.class, () -> AzureMlYaml.parseJob("command: " + command + "\ninputs: {x: 1}\n"));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "the cluster's size | Standard_DS3_v2 | Standard_DS3_v2 | ",
                "case does not matter | standard_ds3_v2 | Standard_DS3_v2 | ",
                "another size | Standard_NC6s_v3 | Standard_DS3_v2 | resources.instance_type Standard_NC6s_v3 differs from cluster 'cpu', whose size is Standard_DS3_v2: remove instance_type or submit to a cluster of that size",
                "attached pool | Standard_DS3_v2 | attached | resources.instance_type is not supported on attached compute 'cpu', whose machines are your own: remove instance_type",
            })
    void instanceTypeIsHonouredOnlyWhenItIsTheClustersSize(String row, String type, String size, String expected) {
        var job = AzureMlYaml.parseJob("command: ls\nresources: {instance_type: " + type + "}\n");
        assertEquals(java.util.Optional.ofNullable(expected), job.instanceTypeProblem("cpu", size));
    }

    @Test
    void aRestSubmissionIsToldHowToShipALocalPath() {
        var job = AzureMlYaml.parseJob("command: ls ${{inputs.d}}\ninputs: {d: {path: ./data}}\n");
        String problem = job.localPathProblem().orElseThrow();
        assertEquals(
                "inputs.d: ./data is a path on your machine, which a REST submission cannot read: submit the YAML "
                        + "with ./ebbtide submit (which uploads it), or upload it with ./ebbtide data upload ./data "
                        + "azureml://datastores/workspaceblobstore/paths/<path> and write that path instead",
                problem);
        assertTrue(Sentences.isOneSentence(problem));
        assertEquals(
                java.util.Optional.empty(),
                AzureMlYaml.parseJob("command: ls\n").localPathProblem());
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
        assertEquals("src", job.codePath());
        assertEquals(
                new JobEnvironment(null, "azureml:AzureML-acpt-pytorch-2.2-cuda12.1@latest", null, null),
                job.spec().environment());
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

    @Test
    void spotIsLowPriorityAndTheExtensionsAreRead() {
        ClusterSpec spec = AzureMlYaml.parseCluster("""
                name: gpu
                size: Standard_NC6s_v3
                tier: spot
                max_instances: 4
                max_gang_provision_time: PT20S
                spot_max_price: 0.25
                ebbtide_fallback:
                  - {size: standard_nc12s_v3, tier: spot}
                  - {size: Standard_NC6s_v3, tier: dedicated}
                """);
        assertEquals("low_priority", spec.tier(), "Azure ML gives low-priority clusters Spot VMs since 31 March 2026");
        assertEquals(20L, spec.capacity().maxGangProvisionTime());
        assertEquals(0.25, spec.capacity().spotMaxPrice());
        assertEquals(
                List.of(
                        new ClusterSpec.Alternative("Standard_NC12s_v3", "low_priority"),
                        new ClusterSpec.Alternative("Standard_NC6s_v3", "dedicated")),
                spec.capacity().fallback(),
                "sizes spelled as Azure does, tiers normalised");
        assertEquals(
                600L,
                AzureMlYaml.parseCluster("name: c1\nmax_gang_provision_time: 600")
                        .capacity()
                        .maxGangProvisionTime());
        assertEquals(null, AzureMlYaml.parseCluster("name: c1").capacity(), "no extension: the defaults");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "'name: c1\nmin_instances: 3\nmax_instances: 2' | max_instances must be >= 1 and >= min_instances",
                "'name: c1\nmin_instances: -1' | min_instances must be >= 0",
                "'name: C_1' | cluster name 'C_1'",
                "'name: c1\ntier: preemptible' | tier must be dedicated, low_priority or spot, not 'preemptible'",
                "'name: c1\nmax_gang_provision_time: 0' | max_gang_provision_time must be at least 1 second, got 0",
                "'name: c1\nmax_gang_provision_time: soon' | max_gang_provision_time must be whole seconds (600) or an ISO 8601 duration (PT10M), got 'soon'",
                "'name: c1\nspot_max_price: 0' | spot_max_price must be -1 (up to the on-demand price) or a price in US dollars per hour above 0, got 0.0",
                "'name: c1\nspot_max_price: cheap' | spot_max_price must be a number",
                "'name: c1\nsize: Standard_NC6s_v3\nebbtide_fallback: [{size: Standard_DS3_v2}]' | ebbtide_fallback size Standard_DS3_v2 has 0 GPU(s) and 4 cores per node, fewer than the cluster's Standard_NC6s_v3 (1 GPU(s), 6 cores): a job's needs must hold on every alternative",
                "'name: c1\nebbtide_fallback: [{size: Standard_DS3_v9}]' | unknown VM size 'Standard_DS3_v9'; nearest:",
                "'name: c1\nebbtide_fallback: [{size: Standard_DS4_v2, tier: cheap}]' | an ebbtide_fallback entry: tier must be dedicated, low_priority or spot, not 'cheap'",
                "'name: c1\nebbtide_fallback: Standard_DS4_v2' | ebbtide_fallback must be a list of {size, tier}",
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
