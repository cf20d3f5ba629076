package dev.ebbtide.autoscaler.whatif;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/** What-if on a cluster's recorded jobs: both settings replayed side by side; the caller's token goes to the scheduler. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
@WithTestResource(StubScheduler.class)
class WhatIfTest {
    static final String OPERATOR = "Bearer " + DevTokens.testToken("olga", "operator");

    @Test
    void comparesCurrentAndProposedSettingsOnTheRecordedJobs() {
        given().header("Authorization", OPERATOR)
                .contentType("application/json")
                .body("{\"name\":\"whatif-cluster\",\"type\":\"amlcompute\",\"max_instances\":10,"
                        + "\"idle_time_before_scale_down\":60}")
                .post("/clusters")
                .then()
                .statusCode(201);
        String viewer = "Bearer " + DevTokens.testToken("vera", "viewer");
        StubScheduler.REQUESTS.clear();
        JsonPath answer = given().header("Authorization", viewer)
                .contentType("application/json")
                .body("{\"idle_time_before_scale_down\": 600}")
                .queryParam("since", "2026-03-01T00:00:00Z")
                .post("/clusters/whatif-cluster/what-if")
                .then()
                .statusCode(200)
                .body("jobs", equalTo(StubScheduler.JOBS))
                .body("current.settings.idleTimeBeforeScaleDown", equalTo(60))
                .body("proposed.settings.idleTimeBeforeScaleDown", equalTo(600))
                .body("proposed.settings.policy", equalTo("fixed-idle"))
                .extract()
                .jsonPath();
        assertEquals(
                java.util.List.of("/clusters/whatif-cluster/trace?since=2026-03-01T00:00:00Z " + viewer),
                StubScheduler.REQUESTS);
        // jobs every 5 min: a 10-min idle time keeps the node warm (less wait, more cost) where 60 s lets it go
        double waitNow = answer.getDouble("current.meanWaitS");
        double waitThen = answer.getDouble("proposed.meanWaitS");
        assertTrue(waitThen < waitNow, "proposed wait " + waitThen + " vs current " + waitNow);
        assertTrue(answer.getDouble("proposed.costRatio") > answer.getDouble("current.costRatio"));
        assertTrue(answer.getDouble("current.nodeHours") > 0);
        assertTrue(answer.getDouble("current.p95WaitS") >= answer.getDouble("current.p50WaitS"));
        // what-if changed nothing
        given().header("Authorization", OPERATOR)
                .get("/clusters/whatif-cluster")
                .then()
                .body("spec.idleTimeBeforeScaleDown", equalTo(60));
    }

    @Test
    void submittersMayNotAskAndASchedulerRefusalIsNamed() {
        given().header("Authorization", "Bearer " + DevTokens.testToken("sam", "submitter"))
                .contentType("application/json")
                .body("{}")
                .post("/clusters/local/what-if")
                .then()
                .statusCode(403);
        given().header("Authorization", OPERATOR)
                .contentType("application/json")
                .body("{\"name\":\"refused\",\"type\":\"amlcompute\",\"max_instances\":2}")
                .post("/clusters");
        given().header("Authorization", OPERATOR)
                .contentType("application/json")
                .body("{}")
                .post("/clusters/refused/what-if")
                .then()
                .statusCode(502)
                .body("error", containsString("the scheduler refused the job history of 'refused' (403)"));
        given().header("Authorization", OPERATOR)
                .contentType("application/json")
                .body("{}")
                .queryParam("since", "soon")
                .post("/clusters/local/what-if")
                .then()
                .statusCode(400)
                .body("error", containsString("since takes an age like 24h"));
    }
}
