package dev.ebbtide.autoscaler.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.ebbtide.devsupport.RealInfraTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** PUT …/policy refuses a field it does not know, naming it (and the likely intended one). */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class PolicyFieldsTest {

    @org.junit.jupiter.api.BeforeEach
    void withToken() {
        io.restassured.RestAssured.requestSpecification = new io.restassured.builder.RequestSpecBuilder()
                .addHeader(
                        "Authorization",
                        "Bearer " + dev.ebbtide.devsupport.DevTokens.testToken("fields-operator", "operator"))
                .build();
    }

    @Test
    void anUnknownOrMisspeltFieldIsA400NamingIt() {
        given().contentType("application/json")
                .body("{\"name\":\"fields-cluster\",\"type\":\"amlcompute\",\"max_instances\":2}")
                .post("/clusters")
                .then()
                .statusCode(201);
        given().contentType("application/json")
                .body("{\"max_instance\": 5}")
                .put("/clusters/fields-cluster/policy")
                .then()
                .statusCode(400)
                .body(
                        "error",
                        equalTo(
                                "unknown field 'max_instance' (did you mean 'max_instances'?); "
                                        + "known fields: idle_time_before_scale_down, max_instances, min_instances, policy, reason"));
        given().contentType("application/json")
                .body("{\"max_instances\": 3, \"colour\": \"red\"}")
                .put("/clusters/fields-cluster/policy")
                .then()
                .statusCode(400)
                .body("error", org.hamcrest.Matchers.startsWith("unknown field 'colour';"));
        given().get("/clusters/fields-cluster").then().body("spec.maxInstances", equalTo(2)); // nothing changed
        given().contentType("application/json")
                .body("{\"max_instances\": 3}")
                .put("/clusters/fields-cluster/policy")
                .then()
                .statusCode(200)
                .body("spec.maxInstances", equalTo(3));
    }
}
