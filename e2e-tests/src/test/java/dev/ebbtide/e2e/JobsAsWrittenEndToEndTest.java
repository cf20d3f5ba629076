package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.agent.env.ImageCli;
import dev.ebbtide.devsupport.DataCli;
import dev.ebbtide.devsupport.DebianPackages;
import dev.ebbtide.devsupport.EbbtideCli;
import dev.ebbtide.devsupport.LocalStack;
import dev.ebbtide.devsupport.SubmitterApi;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 end to end, as a user runs it: the CLI snapshots {@code code:} and uploads local inputs, the services
 * (separate processes, real broker and PostgreSQL) queue and scale, node agents (sandboxed) stage the code and data,
 * resolve {@code ${{…}}}, run the ranks in their environment and upload the outputs, which outlive the nodes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobsAsWrittenEndToEndTest {
    static final Pattern SUBMITTED = Pattern.compile("submitted job (\\S+) to cluster");

    @TempDir
    static Path tmp;

    static Path root;
    static Path state;
    static LocalStack stack;
    static StackClient client;
    static String token;
    static String trainedJob;

    @BeforeAll
    static void startStack() throws Exception {
        root = Path.of(System.getProperty("ebbtide.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path clusters = Files.createDirectories(tmp.resolve("clusters"));
        Files.writeString(clusters.resolve("cpu-cluster.yml"), """
                name: cpu-cluster
                type: amlcompute
                size: Standard_DS3_v2
                min_instances: 0
                max_instances: 2
                idle_time_before_scale_down: 3
                """);
        state = root.resolve("e2e-tests/target/e2e-jobs-state");
        StackClient.deleteTree(state);
        stack = LocalStack.start(new LocalStack.Options(
                root,
                Files.createDirectories(state),
                0,
                0,
                true,
                clusters,
                Map.of(
                        "provisioner:ebbtide.local.agent-heartbeat-interval", "1s",
                        "provisioner:ebbtide.node-lost-after", "5s",
                        "job-submitter:ebbtide.default-compute", "cpu-cluster",
                        "scheduler:ebbtide.default-compute", "cpu-cluster")));
        token = stack.token("e2e-user", "submitter");
        client = new StackClient(stack, token);
        await().atMost(Duration.ofSeconds(60)).until(() -> client.knownToSubmitter("cpu-cluster"));
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    /** {@code ./ebbtide submit FILE --no-follow}: the job id it printed. */
    static String submit(Path file) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            code = new EbbtideCli(stack.url("job-submitter"), List.of(stack.url("autoscaler")), token)
                    .submit(file, false);
        } finally {
            System.setOut(old);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        old.print(printed);
        assertEquals(0, code, "submit of " + file + " printed: " + printed);
        Matcher m = SUBMITTED.matcher(printed);
        assertTrue(m.find(), printed);
        return m.group(1);
    }

    /** {@code ./ebbtide data|datastore|download …}: exit code and what it printed. */
    static String data(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new DataCli(
                        new SubmitterApi(stack.url("job-submitter"), token),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(args);
        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, String.join(" ", args) + " printed: " + printed);
        return printed;
    }

    static JsonNode done(String job) {
        return client.awaitTerminal(job, Duration.ofSeconds(120));
    }

    static String log(JsonNode job, String id) throws Exception {
        return client.rankLog(StackClient.nodes(job).get(0), id, 1, 0);
    }

    static void awaitNoNodes() {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    try (Stream<Path> nodes = Files.list(stack.nodesDir())) {
                        return nodes.noneMatch(n -> n.getFileName().toString().startsWith("cpu-cluster-")
                                && Files.exists(n.resolve("node.json")));
                    }
                });
    }

    @Test
    @Order(1)
    void aJobWithCodeDataAndOutputsRunsAsWrittenAndItsOutputsOutliveItsNodes() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path src = Files.createDirectories(project.resolve("src"));
        Files.writeString(src.resolve("train.sh"), """
                set -e
                while [ $# -gt 0 ]; do
                  case "$1" in --data) data=$2 ;; --epochs) epochs=$2 ;; --model) model=$2 ;; esac
                  shift 2
                done
                test -f train.sh                      # the code folder is the working directory
                test ! -e scratch.tmp                 # .amlignore kept it out of the snapshot
                cat "$data/a.txt" "$data/b/c.txt" > "$model/weights.txt"
                echo "epochs=$epochs" >> "$model/weights.txt"
                mkdir -p outputs && echo "accuracy=0.9" > outputs/metrics.txt
                echo "trained for $epochs epochs from $data"
                """);
        Files.writeString(src.resolve(".amlignore"), "*.tmp\n");
        Files.writeString(src.resolve("scratch.tmp"), "not shipped");
        Path data = Files.createDirectories(project.resolve("data/b"));
        Files.writeString(project.resolve("data/a.txt"), "A\n");
        Files.writeString(data.resolve("c.txt"), "C\n");
        Files.writeString(project.resolve("job.yml"), """
                $schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
                code: src
                command: >-
                  sh train.sh --data ${{inputs.training_data}} --epochs ${{inputs.epochs}}
                  --model ${{outputs.model}}
                inputs:
                  training_data:
                    type: uri_folder
                    path: ./data
                  epochs: 3
                outputs:
                  model:
                    type: uri_folder
                compute: azureml:cpu-cluster
                display_name: train-e2e
                tags: {team: e2e}
                description: trains nothing, writes everything
                """);
        trainedJob = submit(project.resolve("job.yml"));
        JsonNode job = done(trainedJob);
        assertEquals("Completed", job.path("state").asText(), job.toString() + "\n" + log(job, trainedJob));
        assertTrue(log(job, trainedJob).contains("trained for 3 epochs from /mnt/azureml/inputs/training_data"));

        awaitNoNodes(); // the nodes are gone: what follows comes from the datastore
        Path to = tmp.resolve("download");
        data("download", trainedJob, "--to", to.toString());
        assertEquals("A\nC\nepochs=3\n", Files.readString(to.resolve("model/weights.txt")));
        assertEquals("accuracy=0.9\n", Files.readString(to.resolve("artifacts/outputs/metrics.txt")));
    }

    @Test
    @Order(2)
    void aSecondJobReadsTheFirstJobsOutputByItsUri() throws Exception {
        Path yml = tmp.resolve("reader.yml");
        Files.writeString(yml, """
                command: cat ${{inputs.model}}/weights.txt
                inputs:
                  model:
                    type: uri_folder
                    path: azureml://jobs/%s/outputs/model
                """.formatted(trainedJob));
        String id = submit(yml);
        JsonNode job = done(id);
        assertEquals("Completed", job.path("state").asText(), job.toString());
        assertEquals("A\nC\nepochs=3", log(job, id).strip());
    }

    @Test
    @Order(3)
    void aJobWithAnImageEnvironmentRunsInsideTheImage() throws Exception {
        Path tar = TinyImage.write(tmp.resolve("tools.tar"), "made in the image\n");
        assertEquals(
                0,
                ImageCli.run(
                        new String[] {
                            state.resolve("images").toString(), "import", "ebbtide-e2e/tools:1", tar.toString()
                        },
                        System.out,
                        System.err));
        Path inImage = tmp.resolve("in-image.yml");
        Files.writeString(inImage, """
                command: cat /image-only.txt
                environment:
                  image: ebbtide-e2e/tools:1
                """);
        String id = submit(inImage);
        JsonNode job = done(id);
        assertEquals("Completed", job.path("state").asText(), job.toString());
        assertEquals("made in the image", log(job, id).strip());

        Path onHost = tmp.resolve("on-host.yml");
        Files.writeString(onHost, "command: cat /image-only.txt\n");
        JsonNode control = done(submit(onHost));
        assertEquals("Failed", control.path("state").asText(), "the host has no such file: " + control);
    }

    @Test
    @Order(4)
    void aJobWhoseEnvironmentNoNodeProvidesSaysSo() throws Exception {
        Path yml = tmp.resolve("no-env.yml");
        Files.writeString(yml, """
                command: echo never
                environment:
                  image: mcr.microsoft.com/azureml/nobody-has-this:7
                """);
        JsonNode job = done(submit(yml));
        assertEquals("Failed", job.path("state").asText(), job.toString());
        String reason = job.path("reason").asText();
        assertTrue(reason.contains("mcr.microsoft.com/azureml/nobody-has-this:7"), reason);
        assertTrue(reason.contains("not available on node"), reason);
    }

    @Test
    @Order(5)
    void aJobCannotReadTheAgentsCredentialsOrTheStacksKeys() throws Exception {
        Path yml = tmp.resolve("thief.yml");
        Files.writeString(yml, """
                command: >-
                  for f in %1$s/keys/private.pem %1$s/secrets/node-agent.properties %1$s/secrets/kafka-admin.properties;
                  do if cat "$f" > /dev/null 2>&1; then echo "READ $f"; else echo "REFUSED $f"; fi; done;
                  if ls %1$s/work/nodes > /dev/null 2>&1 && [ -n "$(ls %1$s/work/nodes)" ]; then echo "LISTED nodes"; fi;
                  id -u
                """.formatted(state.toString()));
        String id = submit(yml);
        JsonNode job = done(id);
        assertEquals("Completed", job.path("state").asText(), job.toString());
        String log = log(job, id);
        assertFalse(log.contains("READ "), log);
        assertFalse(log.contains("LISTED"), log);
        assertEquals(3, log.lines().filter(l -> l.startsWith("REFUSED ")).count(), log);
        if ("root".equals(System.getProperty("user.name"))) {
            assertTrue(log.strip().endsWith("65534"), "the rank runs as nobody, not as the root agent: " + log);
        }
        assertTrue(Files.readString(state.resolve("keys/private.pem")).contains("PRIVATE KEY"), "the key exists");
    }

    /** What each basic example promises: a line of its log, or a file among its outputs (download path). */
    record Promise(String example, String logLine, String outputFile, String outputText) {}

    static final List<Promise> BASICS = List.of(
            new Promise("hello-world", "hello world", null, null),
            new Promise("hello-world-env-var", "hello world", null, null),
            new Promise("hello-world-input", "42", null, null),
            new Promise("hello-world-org", "hello world", null, null),
            new Promise("hello-world-output", null, "artifacts/outputs/helloworld.txt", "hello world"),
            new Promise("hello-world-output-data", null, "hello_output/helloworld.txt", "hello world"),
            new Promise("hello-code", "hello-iris.py", null, null),
            new Promise("hello-iris-datastore-file", "5.1", "artifacts/outputs/iris.csv", "sepal_length"),
            new Promise("hello-iris-datastore-folder", "iris.csv", "artifacts/outputs/iris.csv", "sepal_length"),
            new Promise("hello-data-uri-folder", "sample.txt", null, null),
            new Promise("hello-dataset", "sample.txt", null, null),
            new Promise("hello-model-as-input", "model.pkl", null, null));

    @Test
    @Order(6)
    void theBasicExamplesOfAzureMlRunUnchanged() throws Exception {
        List<String> missing = DebianPackages.packages("python3-sklearn", "python3-pandas");
        assertTrue(
                missing.isEmpty(),
                "the sklearn-1.5 environment maps to Debian's python3 with " + missing
                        + ", which could not be installed here (apt-get install -y python3-sklearn python3-pandas as root)");
        Path iris = Files.createDirectories(tmp.resolve("example-data")).resolve("iris.csv");
        Files.writeString(iris, """
                sepal_length,sepal_width,petal_length,petal_width,species
                5.1,3.5,1.4,0.2,Iris-setosa
                7.0,3.2,4.7,1.4,Iris-versicolor
                6.3,3.3,6.0,2.5,Iris-virginica
                """);
        data("data", "upload", iris.toString(), "azureml://datastores/workspaceblobstore/paths/example-data/");
        Path sample = Files.createDirectories(tmp.resolve("sample"));
        Files.writeString(sample.resolve("sample.txt"), "a sample\n");
        data("data", "create", "--name", "local-folder-example", "--path", sample.toString(), "--type", "uri_folder");
        data("data", "create", "--name", "sampledata", "--path", sample.toString(), "--type", "uri_folder");

        Path basics = root.resolve("examples/azureml-examples/cli/jobs/basics");
        Map<String, String> ids = new java.util.LinkedHashMap<>();
        for (Promise p : BASICS) {
            ids.put(p.example(), submit(basics.resolve(p.example() + ".yml")));
        }
        StringBuilder failures = new StringBuilder();
        for (Promise p : BASICS) {
            String id = ids.get(p.example());
            JsonNode job = done(id);
            String log = log(job, id);
            if (!"Completed".equals(job.path("state").asText())) {
                failures.append(p.example())
                        .append(": ")
                        .append(job)
                        .append("\n")
                        .append(log)
                        .append("\n");
                continue;
            }
            if (p.example().equals("hello-world-org")
                    && !(job.path("tags").path("hello").asText().equals("world")
                            && job.path("description").asText().contains("hello world")
                            && job.path("displayName").asText().equals("hello-world-example"))) {
                failures.append(p.example())
                        .append(": tags, description or display name not shown: ")
                        .append(job);
            }
            if (p.logLine() != null && !log.contains(p.logLine())) {
                failures.append(p.example())
                        .append(": no '")
                        .append(p.logLine())
                        .append("' in\n")
                        .append(log);
            }
            if (p.outputFile() != null) {
                Path to = tmp.resolve("basics-" + p.example());
                data("download", id, "--to", to.toString());
                Path file = to.resolve(p.outputFile());
                if (!Files.isRegularFile(file) || !Files.readString(file).contains(p.outputText())) {
                    failures.append(p.example())
                            .append(": ")
                            .append(p.outputFile())
                            .append(" missing or wrong\n");
                }
            }
        }
        assertEquals("", failures.toString());
    }
}
