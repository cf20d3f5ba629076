package dev.ebbtide.autoscaler.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.messaging.ownership.InstanceName;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A single instance owns every partition of the owning channel and says so; reading it needs a token. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class OwnershipResourceTest {
    static String viewer() {
        return "Bearer " + DevTokens.testToken("own-viewer", "viewer");
    }

    @Test
    void aSingleInstanceDecidesForEveryClusterAndSaysSo() {
        given().header("Authorization", "Bearer " + DevTokens.testToken("own-operator", "operator"))
                .contentType("application/json")
                .body("{\"name\":\"own-cluster\",\"type\":\"amlcompute\",\"max_instances\":2}")
                .post("/clusters")
                .then()
                .statusCode(201);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().header("Authorization", viewer())
                        .get("/ownership")
                        .then()
                        .statusCode(200)
                        .body("instance", equalTo(InstanceName.current("autoscaler")))
                        .body("partitions", equalTo(1))
                        .body("assigned", equalTo(List.of(0)))
                        .body("deciding", equalTo(List.of(0)))
                        .body("clusters", hasItem("own-cluster")));
        given().header("Authorization", viewer())
                .get("/clusters/own-cluster")
                .then()
                .statusCode(200)
                .body("ownedHere", equalTo(true))
                .body("instance", equalTo(InstanceName.current("autoscaler")));
        given().get("/ownership").then().statusCode(401);
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(org.hamcrest.Matchers.containsString("ebbtide_autoscaler_owned_partitions 1.0"));
    }
}
