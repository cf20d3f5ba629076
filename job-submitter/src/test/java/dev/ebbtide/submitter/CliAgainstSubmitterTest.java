package dev.ebbtide.submitter;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.datastore.CodeSnapshot;
import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.datastore.OutputsManifest;
import dev.ebbtide.devsupport.DataCli;
import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.EbbtideCli;
import dev.ebbtide.devsupport.LocalUploads;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.devsupport.SubmitUploads;
import dev.ebbtide.devsupport.SubmitterApi;
import dev.ebbtide.submitter.service.DatastoreService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's data side (dev-support) against this job-submitter: uploads, the rewritten YAML, download. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
@WithTestResource(FakeScheduler.class)
class CliAgainstSubmitterTest {
    private static final String TOKEN = DevTokens.testToken("alice", "submitter");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TestHTTPResource("/")
    URL url;

    @Inject
    DatastoreService datastores;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private SubmitterApi api() {
        return new SubmitterApi(url.toString(), TOKEN);
    }

    private SubmitUploads submit() {
        return new SubmitUploads(new LocalUploads(api(), new PrintStream(printed, true, StandardCharsets.UTF_8)));
    }

    private String printed() {
        String s = printed.toString(StandardCharsets.UTF_8);
        printed.reset();
        return s;
    }

    /** A job folder as the Azure ML examples have them: code: src, a local folder and file input, a conda file. */
    private Path jobFolder() throws Exception {
        Path job = tmp.resolve("job");
        Files.createDirectories(job.resolve("src"));
        Files.createDirectories(job.resolve("data/sub"));
        Files.writeString(job.resolve("src/main.py"), "print('" + UUID.randomUUID() + "')\n");
        Files.writeString(job.resolve("src/.amlignore"), "*.tmp\n");
        Files.writeString(job.resolve("src/scratch.tmp"), "not shipped\n");
        Files.writeString(job.resolve("data/sub/rows.csv"), "a,b\n" + UUID.randomUUID() + "\n");
        Files.writeString(job.resolve("labels.txt"), "cat\ndog\n" + UUID.randomUUID() + "\n");
        Files.writeString(
                job.resolve("conda.yml"), "name: env\nchannels: [conda-forge]\ndependencies: [python=3.11]\n");
        Files.writeString(job.resolve("job.yml"), """
                command: python main.py --data ${{inputs.data}} --labels ${{inputs.labels}}
                code: src
                inputs:
                  data: {type: uri_folder, path: ./data}
                  labels: {type: uri_file, path: labels.txt}
                  epochs: 3
                environment:
                  image: python:3.11-slim
                  conda_file: conda.yml
                compute: azureml:cli-cluster
                """);
        return job;
    }

    @Test
    void submitUploadsCodeAndInputsOnceAndPostsTheirUris() throws Exception {
        Path job = jobFolder();
        String yaml = submit().prepare(job.resolve("job.yml"));
        String first = printed();
        CodeSnapshot code = CodeSnapshot.of(job.resolve("src"));
        CodeSnapshot data = CodeSnapshot.of(job.resolve("data"));
        assertTrue(first.contains("code: src, 2 files, ") && first.contains(", uploaded"), first);
        JsonNode doc = YAML.readTree(yaml);
        String ds = "azureml://datastores/workspaceblobstore/paths/";
        assertEquals(
                ds + "LocalUpload/" + code.hex() + "/code.tar.gz",
                doc.path("code").asText());
        assertEquals(
                ds + "LocalUpload/" + data.hex() + "/data/",
                doc.at("/inputs/data/path").asText());
        String labelsSha = sha256(job.resolve("labels.txt"));
        assertEquals(
                ds + "LocalUpload/" + labelsSha + "/labels.txt",
                doc.at("/inputs/labels/path").asText());
        assertEquals(3, doc.at("/inputs/epochs").asInt());
        assertEquals(
                "python=3.11", doc.at("/environment/conda_file/dependencies/0").asText());

        Datastore store = datastores.defaultStore();
        assertTrue(store.exists(code.blobPath()));
        assertTrue(store.exists("LocalUpload/" + data.hex() + "/data/sub/rows.csv"));
        assertTrue(store.exists("LocalUpload/" + labelsSha + "/labels.txt"));

        assertEquals(yaml, submit().prepare(job.resolve("job.yml")), "the same folder gives the same job");
        String second = printed();
        assertFalse(second.contains(", uploaded"), second);
        assertEquals(
                3, second.lines().filter(l -> l.endsWith("already uploaded")).count(), second);

        aCluster();
        EbbtideCli cli = new EbbtideCli(url.toString().replaceAll("/$", ""), List.of(), TOKEN);
        await().atMost(Duration.ofSeconds(30)).until(() -> cli.submit(job.resolve("job.yml"), false) == 0);
    }

    @Test
    void aMissingFolderABuildContextOrABadConfigIsOneSentence() throws Exception {
        Path job = jobFolder();
        Files.writeString(job.resolve("missing.yml"), "command: ls\ncode: nowhere\ncompute: azureml:x\n");
        SubmitterApi.Failure e = org.junit.jupiter.api.Assertions.assertThrows(
                SubmitterApi.Failure.class, () -> submit().prepare(job.resolve("missing.yml")));
        assertEquals("code: the folder " + job.resolve("nowhere") + " does not exist", e.getMessage());
        Files.writeString(
                job.resolve("build.yml"), "command: ls\nenvironment:\n  build: {path: docker}\ncompute: azureml:x\n");
        e = org.junit.jupiter.api.Assertions.assertThrows(
                SubmitterApi.Failure.class, () -> submit().prepare(job.resolve("build.yml")));
        assertTrue(e.getMessage().contains("building images is not supported by Ebbtide"), e.getMessage());
    }

    @Test
    void dataCommandsAndDownload() throws Exception {
        Path job = jobFolder();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        DataCli cli = new DataCli(
                api(),
                new PrintStream(printed, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String dest = "azureml://datastores/workspaceblobstore/paths/cli/" + UUID.randomUUID() + "/";
        assertEquals(
                0, cli.run(new String[] {"data", "upload", job.resolve("data").toString(), dest}), err.toString());
        assertTrue(printed().contains("uploaded 1 file(s)"));
        String name = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        assertEquals(
                0,
                cli.run(new String[] {
                    "data",
                    "create",
                    "--name",
                    name,
                    "--type",
                    "uri_file",
                    "--path",
                    job.resolve("labels.txt").toString()
                }),
                err.toString());
        assertTrue(printed().contains("created data asset azureml:" + name + ":1"));
        assertEquals(0, cli.run(new String[] {"data", "list", "--name", name}));
        assertTrue(
                printed().contains(name + ":1  uri_file  azureml://datastores/workspaceblobstore/paths/LocalUpload/"));
        assertEquals(1, cli.run(new String[] {"data", "upload", "nope.txt", dest}));
        assertTrue(err.toString().contains("nope.txt does not exist"), err.toString());

        String id = "known-" + UUID.randomUUID();
        Datastore store = datastores.defaultStore();
        store.put("azureml/" + id + "/model/w.bin", new byte[] {1, 2, 3});
        store.put("azureml/" + id + "/artifacts/outputs/r.txt", "ok\n".getBytes(StandardCharsets.UTF_8));
        new OutputsManifest(
                        id,
                        Map.of("model", "azureml://datastores/workspaceblobstore/paths/azureml/" + id + "/model/"),
                        OutputsManifest.defaultArtifacts(id))
                .write(store);
        Path to = tmp.resolve("out");
        assertEquals(0, cli.run(new String[] {"download", id, "--to", to.toString()}), err.toString());
        assertEquals(3, Files.size(to.resolve("model/w.bin")));
        assertEquals("ok\n", Files.readString(to.resolve("artifacts/outputs/r.txt")));
        assertTrue(printed().contains("downloaded 2 file(s), 6 bytes"));
        Path only = tmp.resolve("only");
        assertEquals(0, cli.run(new String[] {"download", id, "--output", "model", "--to", only.toString()}));
        assertFalse(Files.exists(only.resolve("artifacts")));
    }

    private void aCluster() throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(
                            Topics.CLUSTERS,
                            "cli-cluster",
                            EventJson.write(new ClusterDefined(
                                    new ClusterSpec("cli-cluster", null, null, 0, 2, 60, null), null, Instant.now()))))
                    .get();
        }
    }

    private static String sha256(Path f) throws Exception {
        return java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }
}
