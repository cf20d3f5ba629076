package dev.ebbtide.submitter;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
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

/**
 * Every job endpoint × {no token, refused tokens, viewer, submitter owning the job, another submitter, operator};
 * reads and cancels go to a fake scheduler with the caller's token.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
@WithTestResource(FakeScheduler.class)
class AuthMatrixTest {
    static {
        RestAssured.config = RestAssured.config()
                .encoderConfig(EncoderConfig.encoderConfig().encodeContentTypeAs("application/yaml", ContentType.TEXT));
    }

    private static final String VIEWER = DevTokens.testToken("vera", "viewer");
    private static final String ALICE = DevTokens.testToken("alice", "submitter");
    private static final String BOB = DevTokens.testToken("bob", "submitter");
    private static final String OPERATOR = DevTokens.testToken("olga", "operator");
    private static final String JOB = "command: echo hi\ncompute: azureml:auth-cluster\n";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @BeforeEach
    void aCluster() throws Exception {
        RestAssured.requestSpecification = null;
        try (KafkaProducer<String, String> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(
                            Topics.CLUSTERS,
                            "auth-cluster",
                            EventJson.write(new ClusterDefined(
                                    new ClusterSpec("auth-cluster", null, null, 0, 2, 60, null), null, Instant.now()))))
                    .get();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> submit(OPERATOR).statusCode() == 201);
    }

    private static RequestSpecification as(String token) {
        RequestSpecification r = given();
        return token == null ? r : r.header("Authorization", "Bearer " + token);
    }

    private static io.restassured.response.Response submit(String token) {
        return as(token).contentType("application/yaml").body(JOB).post("/jobs");
    }

    @Test
    void withoutAValidTokenEveryEndpointAnswers401AndNothingReachesTheScheduler() {
        FakeScheduler.AUTHORIZATIONS.clear();
        List<String> tokens =
                new java.util.ArrayList<>(DevTokens.refusedTestTokens().values());
        tokens.add(null);
        for (String token : tokens) {
            submit(token)
                    .then()
                    .log()
                    .ifValidationFails()
                    .statusCode(401)
                    .header("WWW-Authenticate", "Bearer")
                    .body("error", containsString(token == null ? "needs a bearer token" : "was refused"));
            as(token).get("/jobs/known-1").then().statusCode(401);
            as(token).post("/jobs/known-1/cancel").then().statusCode(401);
        }
        assertEquals(List.of(), FakeScheduler.AUTHORIZATIONS);
    }

    @Test
    void submittersAndOperatorsSubmitViewersCannot() {
        submit(VIEWER).then().statusCode(403).body("error", equalTo("the token's roles do not allow this request"));
        submit(ALICE).then().statusCode(201);
        submit(OPERATOR).then().statusCode(201);
    }

    @Test
    void readsAndCancelsForwardTheCallersToken() {
        for (String token : List.of(VIEWER, ALICE, OPERATOR)) {
            FakeScheduler.AUTHORIZATIONS.clear();
            as(token).get("/jobs/known-1").then().statusCode(200).body("state", equalTo("Queued"));
            assertEquals(List.of("Bearer " + token), FakeScheduler.AUTHORIZATIONS);
        }
        as(VIEWER).post("/jobs/known-1/cancel").then().statusCode(403);
        for (String token : List.of(ALICE, OPERATOR)) {
            FakeScheduler.AUTHORIZATIONS.clear();
            as(token).post("/jobs/known-1/cancel").then().statusCode(200);
            assertEquals(List.of("Bearer " + token), FakeScheduler.AUTHORIZATIONS);
        }
    }

    @Test
    void aJobTheSchedulerHasNotSeenYetIsShownToItsOwnerViewersAndOperatorsOnly() {
        String id = submit(ALICE).then().statusCode(201).extract().path("id");
        for (String token : List.of(ALICE, VIEWER, OPERATOR)) {
            as(token)
                    .get("/jobs/" + id)
                    .then()
                    .statusCode(200)
                    .body("state", equalTo("NotStarted"))
                    .body("submittedBy", equalTo("alice"));
        }
        as(BOB).get("/jobs/" + id)
                .then()
                .statusCode(403)
                .body("error", equalTo("job '" + id + "' was submitted by someone else"));
        as(BOB).post("/jobs/" + id + "/cancel").then().statusCode(403);
        as(VIEWER).post("/jobs/" + id + "/cancel").then().statusCode(403);
    }

    @Test
    void noTokenAppearsInALogLine() {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            private final java.util.logging.Formatter format = new java.util.logging.SimpleFormatter();

            @Override
            public void publish(java.util.logging.LogRecord r) {
                lines.add(format.format(r));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try {
            submit(ALICE).then().statusCode(201);
            as(ALICE).post("/jobs/known-1/cancel").then().statusCode(200);
            DevTokens.refusedTestTokens()
                    .values()
                    .forEach(bad -> submit(bad).then().statusCode(401));
        } finally {
            root.removeHandler(capture);
        }
        assertTrue(
                lines.stream().anyMatch(l -> l.contains("accepted for auth-cluster")), "the capture works: " + lines);
        for (String line : lines) {
            assertFalse(line.contains("eyJ"), "a token in a log line: " + line);
        }
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }
}
