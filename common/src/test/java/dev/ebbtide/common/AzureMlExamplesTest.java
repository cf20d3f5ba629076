package dev.ebbtide.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.events.JobSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The public Azure ML examples (src/test/resources/azureml-examples, copied unchanged): each command job is read as
 * written, or refused with the sentence that names what Ebbtide does not run. The summary says what each field became.
 */
class AzureMlExamplesTest {
    private static final Path EXAMPLES = Path.of("src/test/resources/azureml-examples/jobs");
    private static final String SKLEARN =
            "environment azureml://registries/azureml/environments/sklearn-1.5/labels/latest";
    private static final String IRIS = "https://azuremlexamples.blob.core.windows.net/datasets/iris.csv";

    static Stream<Arguments> basics() {
        return Stream.of(
                Arguments.of("hello-code.yml", "code=src env=image library/python:latest in={} out={}"),
                Arguments.of(
                        "hello-data-uri-folder.yml",
                        "code=src env=" + SKLEARN
                                + " in={sampledata=uri_folder:azureml:local-folder-example@latest@ro_mount} out={}"),
                Arguments.of(
                        "hello-dataset.yml",
                        "code=src env=" + SKLEARN
                                + " in={sampledata=uri_folder:azureml:sampledata@latest@ro_mount} out={}"),
                Arguments.of("hello-git.yml", "code=src env=image library/python:3.11.6 in={} out={}"),
                Arguments.of(
                        "hello-interactive.yml",
                        "refused: services (VS Code, Jupyter, TensorBoard, SSH) are not supported"),
                Arguments.of(
                        "hello-iris-datastore-file.yml",
                        "code=src env=" + SKLEARN + " in={iris_csv=uri_file:azureml://datastores/workspaceblobstore/"
                                + "paths/example-data/iris.csv@ro_mount} out={}"),
                Arguments.of(
                        "hello-iris-datastore-folder.yml",
                        "code=src env=" + SKLEARN + " in={data_dir=uri_folder:azureml://datastores/workspaceblobstore/"
                                + "paths/example-data/@ro_mount} out={}"),
                Arguments.of(
                        "hello-iris-file.yml",
                        "code=src env=" + SKLEARN + " in={iris_csv=uri_file:" + IRIS + "@ro_mount} out={}"),
                Arguments.of(
                        "hello-iris-folder.yml",
                        "code=src env=" + SKLEARN
                                + " in={data_dir=uri_folder:wasbs://datasets@azuremlexamples.blob.core.windows.net/"
                                + "@ro_mount} out={}"),
                // a bare string is a literal string input, as in Azure ML: 'type' is an input named type
                Arguments.of(
                        "hello-iris-literal.yml",
                        "code=src env=" + SKLEARN + " in={type=string=uri_file, iris_csv=string=" + IRIS + "} out={}"),
                Arguments.of("hello-mlflow.yml", "code=src env=" + SKLEARN + " in={} out={}"),
                Arguments.of(
                        "hello-model-as-input.yml",
                        "code=null env=" + SKLEARN
                                + " in={my_model=mlflow_model:local(../../assets/model/mlflow-model)@ro_mount} out={}"),
                Arguments.of(
                        "hello-model-as-output.yml",
                        "code=src env=" + SKLEARN
                                + " in={input_model=mlflow_model:local(../../assets/model/mlflow-model)"
                                + "@ro_mount} out={output_folder=custom_model@rw_mount}"),
                Arguments.of("hello-notebook.yml", "code=src env=image library/python:3.11.6 in={} out={}"),
                Arguments.of(
                        "hello-sweep.yml",
                        "refused: only command jobs are supported (type: command), got type 'sweep'"),
                Arguments.of("hello-world-env-var.yml", "code=null env=image library/python:latest in={} out={}"),
                Arguments.of(
                        "hello-world-input.yml",
                        "code=null env=image library/python:latest in={hello_string=string=hello world, "
                                + "hello_number=integer=42} out={}"),
                Arguments.of("hello-world-org.yml", "code=null env=image library/python:latest in={} out={}"),
                Arguments.of(
                        "hello-world-output-data.yml",
                        "code=null env=image python in={} out={hello_output=uri_folder@rw_mount}"),
                Arguments.of("hello-world-output.yml", "code=null env=image library/python:latest in={} out={}"),
                Arguments.of("hello-world.yml", "code=null env=image library/python:latest in={} out={}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("basics")
    void readsTheBasicExamples(String file, String expected) throws IOException {
        assertEquals(expected, outcome(EXAMPLES.resolve("basics").resolve(file)));
    }

    @Test
    void everyBasicJobIsInTheTableAndEveryPipelineIsRefusedByItsType() throws IOException {
        Set<String> listed = basics().map(a -> (String) a.get()[0]).collect(Collectors.toSet());
        try (Stream<Path> files = Files.list(EXAMPLES.resolve("basics"))) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith("hello-pipeline")) {
                    assertEquals(
                            "refused: only command jobs are supported (type: command), got type 'pipeline'",
                            outcome(f),
                            name);
                } else {
                    assertTrue(listed.contains(name), name + " is not in the table");
                }
            }
        }
    }

    @Test
    void theOrgExampleKeepsTagsDescriptionAndNames() throws IOException {
        JobSpec spec = AzureMlYaml.parseJob(Files.readString(EXAMPLES.resolve("basics/hello-world-org.yml")))
                .spec();
        assertEquals(Map.of("hello", "world"), spec.tags());
        assertTrue(
                spec.description().startsWith("# Azure Machine Learning \"hello world\" job\n\n"), spec.description());
        assertEquals("hello-world-example", spec.displayName());
        assertEquals("hello-world-example", spec.experimentName());
        assertEquals(
                Map.of("hello_env_var", "hello world"),
                AzureMlYaml.parseJob(Files.readString(EXAMPLES.resolve("basics/hello-world-env-var.yml")))
                        .spec()
                        .environmentVariables());
    }

    static Stream<Arguments> singleStep() {
        return Stream.of(
                Arguments.of(
                        "dask-nyctaxi-job.yml",
                        "code=src env=image mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04 with local conda file "
                                + "conda.yaml in={nyc_taxi_dataset=uri_folder:wasbs://datasets@azuremlexamples.blob.core."
                                + "windows.net/nyctaxi/@ro_mount} out={output_folder=uri_folder@rw_mount}"),
                Arguments.of(
                        "gpu_perf-gpu_perf_job.yml",
                        "refused: environment: file:./environments/azureml/env.yml (an environment file) is not supported"),
                Arguments.of(
                        "java-iris-job-template.yml",
                        "code=../aml-mlfow-java-example env=environment built from src/main/resources/Docker in={} out={}"),
                Arguments.of("julia-iris-job.yml", "code=src env=environment built from docker-context in={} out={}"),
                Arguments.of(
                        "lightgbm-iris-job.yml",
                        "code=src env=environment azureml:AzureML-lightgbm-3.3@latest in={iris_csv=uri_file:" + IRIS
                                + "@ro_mount} out={}"),
                Arguments.of(
                        "pytorch-cifar-distributed-job.yml",
                        "code=src env=environment azureml:AzureML-acpt-pytorch-2.8-cuda12.6@latest in={epochs=integer=1, "
                                + "learning_rate=number=0.2, cifar=uri_folder:azureml:cifar-10-example@latest@ro_mount} out={}"),
                Arguments.of(
                        "pytorch-iris-job.yml",
                        "code=src env=" + SKLEARN + " in={iris_csv=uri_file:" + IRIS
                                + "@ro_mount, epochs=integer=10, lr=number=0.1} out={}"),
                Arguments.of(
                        "pytorch-word-language-model-job.yml",
                        "code=src env=environment azureml:AzureML-acpt-pytorch-2.8-cuda12.6@latest in={epochs=integer=1, "
                                + "model=string=Transformer, lr=integer=5, save=string=outputs/model.pt, "
                                + "corpus=uri_folder:local(data)@download} out={}"),
                Arguments.of(
                        "r-accidents-job.yml",
                        "code=src env=environment built from docker-context in={training_data=uri_folder:local(data)"
                                + "@ro_mount} out={}"),
                Arguments.of(
                        "r-iris-job.yml",
                        "code=src env=environment built from docker-context in={iris=uri_file:" + IRIS
                                + "@ro_mount} out={}"),
                Arguments.of(
                        "scikit-learn-diabetes-job.yml",
                        "code=src env=" + SKLEARN
                                + " in={diabetes_csv=uri_file:https://azuremlexamples.blob.core.windows"
                                + ".net/datasets/diabetes.csv@ro_mount} out={}"),
                Arguments.of(
                        "scikit-learn-iris-job-docker-context.yml",
                        "code=src env=environment built from docker-context in={iris_csv=uri_file:wasbs://datasets@"
                                + "azuremlexamples.blob.core.windows.net/iris.csv@ro_mount, C=number=0.8, kernel=string=rbf, "
                                + "coef0=number=0.1} out={}"),
                Arguments.of(
                        "scikit-learn-iris-job.yml",
                        "code=src env=" + SKLEARN + " in={iris_csv=uri_file:wasbs://datasets@azuremlexamples.blob.core."
                                + "windows.net/iris.csv@ro_mount, C=number=0.8, kernel=string=rbf, coef0=number=0.1} out={}"),
                Arguments.of(
                        "scikit-learn-iris-notebook-job.yml",
                        "code=src env=environment built from docker-context in={} out={}"),
                Arguments.of(
                        "spark-nyctaxi-job.yml",
                        "code=src env=image mcr.microsoft.com/mmlspark/release:1.0.0-rc3 with local conda file conda.yaml "
                                + "in={nyc_taxi_dataset=uri_folder:wasbs://nyctlc@azureopendatastorage.blob.core.windows.net"
                                + "/yellow@ro_mount} out={}"),
                Arguments.of(
                        "tensorflow-mnist-distributed-job.yml",
                        "code=src env=environment azureml:AzureML-tensorflow-2.16-cuda12@latest in={epochs=integer=1, "
                                + "model_dir=string=outputs/keras-model} out={}"),
                Arguments.of(
                        "tensorflow-mnist-job.yml",
                        "code=src env=environment azureml:AzureML-tensorflow-2.16-cuda12@latest in={} out={}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleStep")
    void readsTheSingleStepExamples(String file, String expected) throws IOException {
        assertEquals(expected, outcome(EXAMPLES.resolve("single-step").resolve(file)));
    }

    @Test
    void everySingleStepJobIsInTheTable() throws IOException {
        Set<String> listed = singleStep().map(a -> (String) a.get()[0]).collect(Collectors.toCollection(TreeSet::new));
        try (Stream<Path> files = Files.list(EXAMPLES.resolve("single-step"))) {
            assertEquals(
                    listed, files.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)));
        }
    }

    @Test
    void localPathsAreKeptAsWrittenForTheCli() throws IOException {
        AzureMlYaml.ParsedJob job =
                AzureMlYaml.parseJob(Files.readString(EXAMPLES.resolve("single-step/dask-nyctaxi-job.yml")));
        assertEquals(Map.of("code", "src", "environment.conda_file", "conda.yaml"), job.localPaths());
        assertEquals("src", job.codePath());
        assertEquals("conda.yaml", job.condaFilePath());
        assertEquals(Map.of(), job.localInputs());
        AzureMlYaml.ParsedJob model =
                AzureMlYaml.parseJob(Files.readString(EXAMPLES.resolve("basics/hello-model-as-output.yml")));
        assertEquals(
                List.of("code", "inputs.input_model"),
                List.copyOf(model.localPaths().keySet()));
        assertEquals(Map.of("input_model", "../../assets/model/mlflow-model"), model.localInputs());
    }

    /** One line saying what each field became, or "refused: " and the sentence. */
    static String outcome(Path file) throws IOException {
        String text = Files.readString(file);
        AzureMlYaml.ParsedJob job;
        try {
            job = AzureMlYaml.parseJob(text);
        } catch (InvalidSpecException e) {
            String m = e.getMessage();
            return "refused: " + (m.contains(":") && m.indexOf(':') < m.length() - 1 ? shorten(m) : m);
        }
        JobSpec s = job.spec();
        String env = s.environment() == null
                ? "none"
                : s.environment().describe()
                        + (job.condaFilePath() != null ? " with local conda file " + job.condaFilePath() : "");
        String in = s.inputs().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().type()
                        + (e.getValue().isLiteral()
                                ? "=" + e.getValue().value()
                                : ":"
                                        + (e.getValue().path() != null
                                                ? e.getValue().path()
                                                : "local(" + job.localInputs().get(e.getKey()) + ")")
                                        + "@" + e.getValue().mode()))
                .collect(Collectors.joining(", ", "{", "}"));
        String out = s.outputs().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().type()
                        + (e.getValue().path() != null ? ":" + e.getValue().path() : "")
                        + "@" + e.getValue().mode())
                .collect(Collectors.joining(", ", "{", "}"));
        return "code=" + job.codePath() + " env=" + env + " in=" + in + " out=" + out;
    }

    /** The refusals in the table are compared up to their first clause that names the field. */
    private static String shorten(String message) {
        for (String stop : new String[] {" is not supported", " are not supported"}) {
            int at = message.indexOf(stop);
            if (at > 0) {
                return message.substring(0, at + stop.length());
            }
        }
        return message;
    }

    @Test
    void aRefusedExampleSaysSoInOneSentence() {
        InvalidSpecException e = assertThrows(
                InvalidSpecException.class,
                () -> AzureMlYaml.parseJob(Files.readString(EXAMPLES.resolve("basics/hello-interactive.yml"))));
        assertTrue(Sentences.isOneSentence(e.getMessage()), e.getMessage());
    }
}
