package dev.ebbtide.submitter;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** GET /jobs/{id}/logs is the scheduler's answer, bytes and all, with the query passed on. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
@WithTestResource(FakeScheduler.class)
class JobLogsProxyTest {
    private static final String TOKEN = DevTokens.testToken("alice", "viewer");

    @Test
    void logsComeFromTheSchedulerByteForByte() {
        byte[] body = given().auth()
                .oauth2(TOKEN)
                .get("/jobs/job-1/logs?rank=1&offset=3")
                .then()
                .statusCode(200)
                .contentType(startsWith("text/plain"))
                .header("X-Ebbtide-Job-State", "Running")
                .extract()
                .asByteArray();
        assertArrayEquals(FakeScheduler.LOG, body);
        String query = FakeScheduler.QUERIES.get(FakeScheduler.QUERIES.size() - 1);
        assertTrue(query.contains("rank=1") && query.contains("offset=3"), query);
        String forwarded = FakeScheduler.AUTHORIZATIONS.get(FakeScheduler.AUTHORIZATIONS.size() - 1);
        assertTrue(forwarded.equals("Bearer " + TOKEN), "the caller's token goes to the scheduler");
    }

    @Test
    void everyLookUpIsAnsweredWhileOneSchedulerInstanceFails() {
        int before = FakeScheduler.UNAVAILABLE_CALLS.get();
        for (int i = 0; i < 4; i++) { // the instances are taken in turn: the one answering 503 comes first twice
            given().auth().oauth2(TOKEN).get("/jobs/known-" + i).then().statusCode(200);
            given().auth().oauth2(TOKEN).get("/jobs/job-1/logs").then().statusCode(200);
        }
        assertTrue(
                FakeScheduler.UNAVAILABLE_CALLS.get() - before >= 4,
                "the failing instance was asked too, and the next one answered");
    }

    @Test
    void anUnknownJobIs404WithASentence() {
        given().auth()
                .oauth2(TOKEN)
                .get("/jobs/nope/logs")
                .then()
                .statusCode(404)
                .body("error", equalTo("no job 'nope'"));
    }
}
