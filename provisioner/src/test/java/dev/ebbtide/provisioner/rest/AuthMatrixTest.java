package dev.ebbtide.provisioner.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GET /nodes × {no token, refused tokens, viewer, submitter, operator}; health and metrics stay open. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class AuthMatrixTest {

    @Test
    void nodesNeedAValidTokenOfAnyRole() {
        given().get("/nodes")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .body("error", containsString("needs a bearer token"));
        for (Map.Entry<String, String> bad : DevTokens.refusedTestTokens().entrySet()) {
            given().auth()
                    .oauth2(bad.getValue())
                    .get("/nodes")
                    .then()
                    .log()
                    .ifValidationFails()
                    .statusCode(401)
                    .body("error", containsString("was refused"));
        }
        for (String role : List.of("viewer", "submitter", "operator")) {
            given().auth()
                    .oauth2(DevTokens.testToken("u-" + role, role))
                    .get("/nodes")
                    .then()
                    .statusCode(200);
        }
        given().auth()
                .oauth2(DevTokens.testToken("nobody"))
                .get("/nodes")
                .then()
                .statusCode(403)
                .body("error", containsString("roles do not allow"));
    }

    @Test
    void vmSizesAndQuotaAreReadableByEveryRoleAndOnlyOperatorsChangeQuota() {
        String viewer = DevTokens.testToken("u-viewer", "viewer");
        String operator = DevTokens.testToken("u-operator", "operator");
        given().get("/vm-sizes").then().statusCode(401);
        given().auth()
                .oauth2(viewer)
                .get("/vm-sizes")
                .then()
                .statusCode(200)
                .body(
                        "find { it.name == 'Standard_NC6s_v3' }.family",
                        org.hamcrest.Matchers.equalTo("standardNCSv3Family"))
                .body("find { it.name == 'Standard_NC6s_v3' }.approvalRequired", org.hamcrest.Matchers.equalTo(true));
        given().auth()
                .oauth2(viewer)
                .get("/quota")
                .then()
                .statusCode(200)
                .body("source", org.hamcrest.Matchers.equalTo("configuration"));
        given().auth()
                .oauth2(viewer)
                .contentType("application/json")
                .body("{\"limit\": 24}")
                .put("/quota/standardNCSv3Family")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(operator)
                .contentType("application/json")
                .body("{\"limit\": 24}")
                .put("/quota/standardNCSv3Family")
                .then()
                .statusCode(200)
                .body("quotas.find { it.name == 'standardNCSv3Family' }.limit", org.hamcrest.Matchers.equalTo(24));
        given().auth()
                .oauth2(operator)
                .contentType("application/json")
                .body("{\"limit\": 24}")
                .put("/quota/standardNCv9Family")
                .then()
                .statusCode(400)
                .body("error", containsString("unknown quota 'standardNCv9Family'"));
        given().auth()
                .oauth2(operator)
                .contentType("application/json")
                .body("{\"limit\": -1}")
                .put("/quota/cores")
                .then()
                .statusCode(400)
                .body("error", containsString("{\"limit\": N}"));
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
    }
}
