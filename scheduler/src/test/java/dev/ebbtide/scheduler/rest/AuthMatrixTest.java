package dev.ebbtide.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every job endpoint × {no token, refused tokens, viewer, submitter owning the job, another submitter, operator}.
 * Jobs are submitted on Kafka with {@code submittedBy} set, as the job-submitter does.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class AuthMatrixTest {
    private static final String VIEWER = DevTokens.testToken("vera", "viewer");
    private static final String ALICE = DevTokens.testToken("alice", "submitter");
    private static final String BOB = DevTokens.testToken("bob", "submitter");
    private static final String OPERATOR = DevTokens.testToken("olga", "operator");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    String cluster;
    String alicesJob;
    String bobsJob;

    @BeforeEach
    void twoJobsOfTwoSubmitters() throws Exception {
        RestAssured.requestSpecification = null;
        cluster = "auth-" + UUID.randomUUID().toString().substring(0, 8);
        alicesJob = UUID.randomUUID().toString();
        bobsJob = UUID.randomUUID().toString();
        JobSpec spec = new JobSpec("echo", 1, Map.of(), null, null, null, null);
        try (KafkaProducer<String, String> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(
                            Topics.CLUSTERS,
                            cluster,
                            EventJson.write(new ClusterDefined(
                                    new ClusterSpec(cluster, null, null, 0, 2, 60, null), null, Instant.now()))))
                    .get();
            p.send(new ProducerRecord<>(
                            Topics.JOBS_SUBMITTED,
                            cluster,
                            EventJson.write(new JobSubmitted(alicesJob, cluster, spec, Instant.now(), "alice"))))
                    .get();
            p.send(new ProducerRecord<>(
                            Topics.JOBS_SUBMITTED,
                            cluster,
                            EventJson.write(new JobSubmitted(bobsJob, cluster, spec, Instant.now(), "bob"))))
                    .get();
        }
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> as(OPERATOR)
                        .get("/jobs/" + bobsJob)
                        .then()
                        .statusCode(200)
                        .body("state", equalTo("Queued")));
    }

    private static RequestSpecification as(String token) {
        RequestSpecification r = given();
        return token == null ? r : r.header("Authorization", "Bearer " + token);
    }

    @Test
    void withoutAValidTokenEveryEndpointAnswers401() {
        List<String> gets = List.of("/jobs/" + alicesJob, "/jobs?cluster=" + cluster);
        for (String path : gets) {
            as(null).get(path)
                    .then()
                    .statusCode(401)
                    .header("WWW-Authenticate", "Bearer")
                    .body("error", containsString("needs a bearer token"));
        }
        as(null).post("/jobs/" + alicesJob + "/cancel").then().statusCode(401);
        for (Map.Entry<String, String> bad : DevTokens.refusedTestTokens().entrySet()) {
            for (String path : gets) {
                as(bad.getValue())
                        .get(path)
                        .then()
                        .log()
                        .ifValidationFails()
                        .statusCode(401)
                        .body("error", containsString("was refused"));
            }
            as(bad.getValue()).post("/jobs/" + alicesJob + "/cancel").then().statusCode(401);
        }
        as(OPERATOR).get("/jobs/" + alicesJob).then().body("state", equalTo("Queued")); // nothing was canceled
    }

    @Test
    void viewersAndOperatorsSeeEveryJobASubmitterOnlyItsOwn() {
        for (String token : List.of(VIEWER, OPERATOR, ALICE)) {
            as(token).get("/jobs/" + alicesJob).then().statusCode(200).body("submittedBy", equalTo("alice"));
        }
        as(BOB).get("/jobs/" + alicesJob)
                .then()
                .statusCode(403)
                .body("error", equalTo("job '" + alicesJob + "' was submitted by someone else"));
        for (String token : List.of(VIEWER, OPERATOR)) {
            as(token)
                    .get("/jobs?cluster=" + cluster)
                    .then()
                    .statusCode(200)
                    .body("id", containsInAnyOrder(alicesJob, bobsJob));
        }
        as(ALICE).get("/jobs?cluster=" + cluster).then().statusCode(200).body("id", containsInAnyOrder(alicesJob));
        as(BOB).get("/jobs/nope").then().statusCode(404);
    }

    @Test
    void theOwnerOrAnOperatorCancelsViewersAndOtherSubmittersCannot() {
        as(VIEWER)
                .post("/jobs/" + alicesJob + "/cancel")
                .then()
                .statusCode(403)
                .body("error", equalTo("the token's roles do not allow this request"));
        as(BOB).post("/jobs/" + alicesJob + "/cancel")
                .then()
                .statusCode(403)
                .body("error", equalTo("job '" + alicesJob + "' was submitted by someone else"));
        as(OPERATOR).get("/jobs/" + alicesJob).then().body("state", equalTo("Queued"));

        as(ALICE)
                .post("/jobs/" + alicesJob + "/cancel")
                .then()
                .statusCode(200)
                .body("state", equalTo("Canceled"))
                .body("reason", equalTo("canceled by alice"));
        as(OPERATOR)
                .post("/jobs/" + bobsJob + "/cancel")
                .then()
                .statusCode(200)
                .body("state", equalTo("Canceled"))
                .body("reason", equalTo("canceled by olga"));
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }
}
