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
        given().get("/nodes").then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .body("error", containsString("needs a bearer token"));
        for (Map.Entry<String, String> bad : DevTokens.refusedTestTokens().entrySet()) {
            given().auth().oauth2(bad.getValue()).get("/nodes").then().log().ifValidationFails().statusCode(401)
                    .body("error", containsString("was refused"));
        }
        for (String role : List.of("viewer", "submitter", "operator")) {
            given().auth().oauth2(DevTokens.testToken("u-" + role, role)).get("/nodes").then().statusCode(200);
        }
        given().auth().oauth2(DevTokens.testToken("nobody")).get("/nodes").then().statusCode(403)
                .body("error", containsString("roles do not allow"));
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
    }
}
