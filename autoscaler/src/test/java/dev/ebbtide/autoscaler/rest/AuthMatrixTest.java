package dev.ebbtide.autoscaler.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every ops endpoint × {no token, refused tokens, viewer, submitter, operator}: reads for every role, writes for operators. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class AuthMatrixTest {
    static {
        RestAssured.config = RestAssured.config()
                .encoderConfig(EncoderConfig.encoderConfig().encodeContentTypeAs("application/yaml", ContentType.TEXT));
    }

    private static final List<String> ROLES = List.of("viewer", "submitter", "operator");

    /** One endpoint: the request and what it answers when allowed. */
    private record Call(
            String name,
            java.util.function.Function<RequestSpecification, io.restassured.response.Response> send,
            int allowed) {}

    @BeforeEach
    void noDefaultToken() {
        RestAssured.requestSpecification = null;
    }

    private static RequestSpecification as(String token) {
        RequestSpecification r = given();
        return token == null ? r : r.header("Authorization", "Bearer " + token);
    }

    private static List<Call> reads() {
        return List.of(
                new Call("GET /clusters", r -> r.get("/clusters"), 200),
                new Call("GET /clusters/local", r -> r.get("/clusters/local"), 200),
                new Call("GET /clusters/local/decisions", r -> r.get("/clusters/local/decisions"), 200),
                new Call("GET /clusters/local/policy/history", r -> r.get("/clusters/local/policy/history"), 200),
                new Call(
                        "POST /clusters/local/dry-run",
                        r -> r.contentType("application/json")
                                .body("{\"min_instances\": 1}")
                                .post("/clusters/local/dry-run"),
                        200));
    }

    private static List<Call> writes() {
        String name = "auth-" + UUID.randomUUID().toString().substring(0, 8);
        return List.of(
                new Call(
                        "POST /clusters",
                        r -> r.contentType("application/yaml")
                                .body("name: " + name + "\ntype: amlcompute\nmax_instances: 2\n")
                                .post("/clusters"),
                        201),
                new Call(
                        "PUT /clusters/{name}/policy",
                        r -> r.contentType("application/json") // the cluster just created
                                .body("{\"idle_time_before_scale_down\": 120}")
                                .put("/clusters/" + name + "/policy"),
                        200),
                new Call(
                        "POST /clusters/{name}/policy/rollback",
                        r -> r.contentType("application/json")
                                .body("{\"version\": 1}")
                                .post("/clusters/" + name + "/policy/rollback"),
                        200));
    }

    @Test
    void withoutAValidTokenEveryEndpointAnswers401WithASentence() {
        for (Call c : concat(reads(), writes())) {
            c.send()
                    .apply(as(null))
                    .then()
                    .statusCode(401)
                    .header("WWW-Authenticate", "Bearer")
                    .body("error", containsString("needs a bearer token"));
            for (Map.Entry<String, String> bad : DevTokens.refusedTestTokens().entrySet()) {
                c.send()
                        .apply(as(bad.getValue()))
                        .then()
                        .log()
                        .ifValidationFails()
                        .statusCode(401)
                        .body("error", containsString("was refused"));
            }
        }
    }

    @Test
    void everyRoleReadsAndDryRuns() {
        for (String role : ROLES) {
            for (Call c : reads()) {
                c.send()
                        .apply(as(DevTokens.testToken("u-" + role, role)))
                        .then()
                        .log()
                        .ifValidationFails()
                        .statusCode(c.allowed());
            }
        }
    }

    @Test
    void onlyOperatorsDefineClustersAndChangePolicies() {
        for (String role : List.of("viewer", "submitter")) {
            for (Call c : writes()) {
                c.send()
                        .apply(as(DevTokens.testToken("u-" + role, role)))
                        .then()
                        .log()
                        .ifValidationFails()
                        .statusCode(403)
                        .body("error", equalTo("the token's roles do not allow this request"));
            }
        }
        for (Call c : writes()) {
            c.send()
                    .apply(as(DevTokens.testToken("ops", "operator")))
                    .then()
                    .log()
                    .ifValidationFails()
                    .statusCode(c.allowed());
        }
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().header("Authorization", "Bearer not-a-token")
                .get("/q/health/ready")
                .then()
                .statusCode(200);
    }

    private static List<Call> concat(List<Call> a, List<Call> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
