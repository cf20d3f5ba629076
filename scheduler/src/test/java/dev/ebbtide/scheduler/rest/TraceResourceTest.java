package dev.ebbtide.scheduler.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.JobState;
import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.simulator.SimulatorMain;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A cluster's recorded jobs from PostgreSQL as a trace the simulator replays. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class TraceResourceTest {
    static final String CLUSTER = "trace-cluster";
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void recordedJobsComeOutAsATraceTheSimulatorReplays() throws Throwable {
        persist("tr-1", T0.plusSeconds(5), T0.plusSeconds(125), T0.plusSeconds(425), 2, JobState.Completed);
        persist("tr-2", T0.plusSeconds(60), T0.plusSeconds(60), T0.plusSeconds(90), 1, JobState.Failed);
        persist("tr-3", T0.plusSeconds(61), null, null, 1, JobState.Queued);
        persist("tr-old", T0.minusSeconds(3600), T0.minusSeconds(3500), T0.minusSeconds(3400), 1, JobState.Completed);

        String csv = given().header("Authorization", "Bearer " + DevTokens.testToken("vera", "viewer"))
                .queryParam("since", T0.toString())
                .get("/clusters/" + CLUSTER + "/trace")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertEquals("""
                job_id,submit_s,duration_s,nodes,gpus,queue,status
                tr-1,5,300,2,,trace-cluster,Completed
                tr-2,60,30,1,,trace-cluster,Failed
                """, csv);

        Path file = Files.createTempFile("trace", ".csv");
        Files.writeString(file, csv);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = SimulatorMain.run(
                new String[] {"--trace", file.toString(), "--policy", "fixed-idle", "--json"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err);
        assertEquals(0, code);
        String json = out.toString(StandardCharsets.UTF_8);
        assertTrue(json.contains("\"jobs\":2") && json.contains("\"startedJobs\":2"), json);
    }

    @Test
    void onlyViewersAndOperatorsReadItAndABadSinceIsAClearError() {
        given().header("Authorization", "Bearer " + DevTokens.testToken("sam", "submitter"))
                .get("/clusters/" + CLUSTER + "/trace")
                .then()
                .statusCode(403);
        given().header("Authorization", "Bearer " + DevTokens.testToken("olga", "operator"))
                .queryParam("since", "yesterday")
                .get("/clusters/" + CLUSTER + "/trace")
                .then()
                .statusCode(400)
                .body(containsString("since must be an ISO-8601 instant"));
    }

    private static void persist(String id, Instant submitted, Instant started, Instant ended, int nodes, JobState state)
            throws Throwable {
        JobEntity j = new JobEntity();
        j.id = id;
        j.cluster = CLUSTER;
        j.state = state;
        j.instanceCount = nodes;
        j.priority = "medium";
        j.sequence = submitted.toEpochMilli() * 1000;
        j.submittedAt = submitted;
        j.startedAt = started;
        j.endedAt = ended;
        j.updatedAt = ended != null ? ended : submitted;
        j.attempt = started != null ? 1 : 0;
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(j::persist));
    }
}
