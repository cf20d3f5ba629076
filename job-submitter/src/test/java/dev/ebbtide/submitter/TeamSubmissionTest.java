package dev.ebbtide.submitter;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.devsupport.TopicRecorder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
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

/**
 * A REST caller's team comes from its token and travels with the job; priority high is for the configured teams and
 * roles ({@code %test.ebbtide.jobs.high-priority.teams=vision}, roles: operator), others get one sentence.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
@WithTestResource(FakeScheduler.class)
class TeamSubmissionTest {
    private static final String CLUSTER = "team-cluster";

    static {
        RestAssured.config = RestAssured.config()
                .encoderConfig(EncoderConfig.encoderConfig().encodeContentTypeAs("application/yaml", ContentType.TEXT));
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @BeforeEach
    void defineCluster() throws Exception {
        RestAssured.requestSpecification = null;
        try (KafkaProducer<String, String> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(
                            Topics.CLUSTERS,
                            CLUSTER,
                            EventJson.write(new ClusterDefined(
                                    new ClusterSpec(CLUSTER, null, null, 0, 2, 60, null), null, Instant.now()))))
                    .get();
        }
    }

    @Test
    void aTokensTeamIsTheJobsTeamAndTheJobShowsIt() throws Exception {
        try (TopicRecorder recorder = new TopicRecorder(bootstrap, List.of(Topics.JOBS_SUBMITTED))) {
            String vision = submit(DevTokens.testTokenOfTeam("vera", "vision", "submitter"), "medium", 201);
            String none = submit(DevTokens.testToken("nora", "submitter"), "medium", 201);

            assertEquals("vision", published(recorder, vision).team());
            assertEquals("vera", published(recorder, vision).submittedBy());
            assertEquals("default", published(recorder, none).team(), "a token without a team: the default team");
            // not at the scheduler yet (the stand-in answers 404): the job-submitter's own view shows the team
            given().header("Authorization", "Bearer " + DevTokens.testTokenOfTeam("vera", "vision", "submitter"))
                    .get("/jobs/" + vision)
                    .then()
                    .statusCode(200)
                    .body("state", equalTo("NotStarted"))
                    .body("team", equalTo("vision"));
        }
    }

    @Test
    void highIsForTheConfiguredTeamsAndRolesAndOthersGetOneSentence() {
        given().header("Authorization", "Bearer " + DevTokens.testTokenOfTeam("nick", "nlp", "submitter"))
                .contentType("application/yaml")
                .body(job("high"))
                .post("/jobs")
                .then()
                .statusCode(403)
                .body(
                        "error",
                        equalTo("team 'nlp' may not use priority high (allowed: teams vision, roles operator;"
                                + " ebbtide.jobs.high-priority.teams and .roles); submit with medium or ask an"
                                + " operator"));
        submit(DevTokens.testTokenOfTeam("nick", "nlp", "submitter"), "medium", 201);
        submit(DevTokens.testTokenOfTeam("vera", "vision", "submitter"), "high", 201);
        submit(DevTokens.testToken("olga", "operator"), "high", 201);
    }

    @Test
    void aTeamClaimThatIsNotATeamNameIsRefusedWithOneSentence() {
        given().header("Authorization", "Bearer " + DevTokens.testTokenOfTeam("eve", "vision; drop", "submitter"))
                .contentType("application/yaml")
                .body(job("medium"))
                .post("/jobs")
                .then()
                .statusCode(403)
                .body(
                        "error",
                        equalTo("the token's 'team' claim 'vision; drop' is not a team name (1 to 64 letters, digits,"
                                + " '.', '_' or '-', starting with a letter or digit)"));
    }

    private static String job(String priority) {
        return "command: echo hi\ncompute: azureml:" + CLUSTER + "\nqueue_settings: {priority: " + priority + "}\n";
    }

    private static String submit(String token, String priority, int status) {
        return await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> given().header("Authorization", "Bearer " + token)
                                .contentType("application/yaml")
                                .body(job(priority))
                                .post("/jobs")
                                .then()
                                .extract()
                                .response(),
                        r -> r.statusCode() == status)
                .path("id");
    }

    private static JobSubmitted published(TopicRecorder recorder, String id) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> recorder.on(Topics.JOBS_SUBMITTED).stream()
                        .anyMatch(r -> r.value().contains(id)));
        return recorder.on(Topics.JOBS_SUBMITTED).stream()
                .filter(r -> r.value().contains(id))
                .findFirst()
                .orElseThrow()
                .as(JobSubmitted.class);
    }
}
