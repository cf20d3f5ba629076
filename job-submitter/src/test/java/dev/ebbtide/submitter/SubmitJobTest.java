package dev.ebbtide.submitter;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.common.job.CodeRef;
import dev.ebbtide.common.job.JobInput;
import dev.ebbtide.common.job.JobOutput;
import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.devsupport.TopicRecorder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /jobs on a real broker: an accepted job is on the topic, keyed by its cluster; bad ones get a sentence. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class SubmitJobTest {
    static {
        RestAssured.config = RestAssured.config()
                .encoderConfig(EncoderConfig.encoderConfig().encodeContentTypeAs("application/yaml", ContentType.TEXT));
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @BeforeEach
    void asSubmitter() {
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader("Authorization", "Bearer " + DevTokens.testTokenOfTeam("alice", "vision", "submitter"))
                .build();
    }

    @Test
    void anAcceptedJobIsPublishedKeyedByItsClusterAndBadOnesAreRefused() throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(
                        Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer());
                TopicRecorder recorder = new TopicRecorder(bootstrap, List.of(Topics.JOBS_SUBMITTED))) {
            ClusterDefined cluster =
                    new ClusterDefined(new ClusterSpec("sub-cluster", null, null, 0, 2, 60, null), null, Instant.now());
            p.send(new ProducerRecord<>(Topics.CLUSTERS, "sub-cluster", EventJson.write(cluster)))
                    .get();
            String yaml = """
                    type: command
                    command: python train.py --data ${{inputs.data}} --epochs ${{inputs.epochs}} --out ${{outputs.model}}
                    code: azureml://datastores/workspaceblobstore/paths/LocalUpload/%s/code.tar.gz
                    inputs:
                      data: {type: uri_folder, path: azureml://datastores/workspaceblobstore/paths/cifar/}
                      epochs: 3
                    outputs:
                      model:
                    environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest
                    compute: azureml:sub-cluster
                    resources: {instance_count: 2, instance_type: standard_ds3_v2}
                    environment_variables: {LR: "0.1"}
                    queue_settings: {priority: high}
                    tags: {team: vision}
                    description: a run
                    """.formatted("ab".repeat(32));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> given().contentType("application/yaml")
                                    .body(yaml)
                                    .post("/jobs")
                                    .statusCode()
                            == 201);
            await().atMost(Duration.ofSeconds(30)).until(() -> !ours(recorder).isEmpty());
            JobSubmitted published = ours(recorder).get(0).as(JobSubmitted.class);
            assertEquals("sub-cluster", published.cluster());
            assertEquals("alice", published.submittedBy(), "the token's principal is recorded");
            assertEquals("vision", published.team(), "the token's team is recorded (and may use high)");
            assertEquals("sub-cluster", ours(recorder).get(0).key(), "keyed by cluster");
            assertEquals(2, published.spec().instanceCount());
            assertEquals("high", published.spec().priority());
            assertEquals(Map.of("LR", "0.1"), published.spec().environmentVariables());
            assertEquals(
                    new CodeRef(
                            "azureml://datastores/workspaceblobstore/paths/LocalUpload/" + "ab".repeat(32)
                                    + "/code.tar.gz",
                            "sha256:" + "ab".repeat(32)),
                    published.spec().code());
            assertEquals(
                    Map.of(
                            "data",
                            JobInput.data("uri_folder", "azureml://datastores/workspaceblobstore/paths/cifar/", null),
                            "epochs",
                            JobInput.literal("integer", "3")),
                    published.spec().inputs());
            assertEquals(
                    Map.of("model", new JobOutput(null, null, null)),
                    published.spec().outputs());
            assertEquals(
                    "azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
                    published.spec().environment().name());
            assertEquals(Map.of("team", "vision"), published.spec().tags());
            assertEquals("a run", published.spec().description());
            assertEquals(
                    "dev.ebbtide.job.submitted.v1",
                    ours(recorder).get(0).headers().get("ce_type"));

            given().contentType("application/yaml")
                    .body("command: x\ncompute: azureml:sub-cluster\nresources: {instance_count: 3}\n")
                    .post("/jobs")
                    .then()
                    .statusCode(400)
                    .body("error", equalTo("job asks for 3 nodes but cluster 'sub-cluster' has max_instances 2"));
            given().contentType("application/yaml")
                    .body("command: x\ncompute: azureml:elsewhere\n")
                    .post("/jobs")
                    .then()
                    .statusCode(404)
                    .body("error", containsString("unknown cluster 'elsewhere'"));
            given().contentType("application/yaml")
                    .body("command: x\n")
                    .post("/jobs")
                    .then()
                    .statusCode(400)
                    .body("error", equalTo(dev.ebbtide.common.compute.DefaultCompute.NONE_CONFIGURED));
            given().contentType("application/yaml")
                    .body("command: ls\ncode: src\ncompute: azureml:sub-cluster\n")
                    .post("/jobs")
                    .then()
                    .statusCode(400)
                    .body(
                            "error",
                            startsWith("code: src is a path on your machine, which a REST submission cannot "
                                    + "read: submit the YAML with ./ebbtide submit"));
            given().contentType("application/yaml")
                    .body("command: ls\ncompute: azureml:sub-cluster\nresources: {instance_type: Standard_NC6s_v3}\n")
                    .post("/jobs")
                    .then()
                    .statusCode(400)
                    .body(
                            "error",
                            equalTo("resources.instance_type Standard_NC6s_v3 differs from cluster "
                                    + "'sub-cluster', whose size is Standard_DS3_v2: remove instance_type or submit to a "
                                    + "cluster of that size"));
            given().contentType("application/yaml")
                    .body("command: ls\ncompute: azureml:sub-cluster\nservices: {lab: {type: jupyter_lab}}\n")
                    .post("/jobs")
                    .then()
                    .statusCode(400)
                    .body("error", startsWith("services (VS Code, Jupyter, TensorBoard, SSH) are not supported"));
            given().contentType("application/json")
                    .body("{\"command\": ")
                    .post("/jobs")
                    .then()
                    .statusCode(400)
                    .body("error", containsString("not valid YAML or JSON"));
        }
    }

    /** This test's submissions (other tests submit to other clusters on the same topic). */
    private static List<TopicRecorder.Recorded> ours(TopicRecorder recorder) {
        return recorder.on(Topics.JOBS_SUBMITTED).stream()
                .filter(r -> r.value().contains("\"sub-cluster\""))
                .toList();
    }

    @Test
    void aClusterDefinedAMomentAgoIsKnownAtOnce() throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 3; i++) {
                String name = "fresh-" + java.util.UUID.randomUUID().toString().substring(0, 8);
                p.send(new ProducerRecord<>(
                                Topics.CLUSTERS,
                                name,
                                EventJson.write(new ClusterDefined(
                                        new ClusterSpec(name, null, null, 0, 2, 60, null), null, Instant.now()))))
                        .get();
                // no waiting: the submitter reads the clusters topic to its end before answering "unknown cluster"
                given().contentType("application/yaml")
                        .body("command: x\ncompute: azureml:" + name + "\n")
                        .post("/jobs")
                        .then()
                        .statusCode(201);
            }
        }
    }
}
