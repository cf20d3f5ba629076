package dev.ebbtide.autoscaler.messaging;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.messaging.ConsumerHealth;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** While a channel waits for a dependency the service is not ready, says why, and stays live; then ready again. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class ConsumersHealthTest {
    @Inject
    ConsumerHealth health;

    @Test
    void readinessSaysWhatAChannelWaitsForAndLivenessStaysUp() {
        health.waitingFor("probe-in", "PostgreSQL", Instant.parse("2026-12-02T01:50:03Z"), "Connection refused");
        try {
            given().get("/q/health/ready")
                    .then()
                    .statusCode(503)
                    .body("checks.find { it.name == 'ebbtide-consumers' }.status", equalTo("DOWN"))
                    .body(
                            "checks.find { it.name == 'ebbtide-consumers' }.data['probe-in']",
                            startsWith(
                                    "waiting for PostgreSQL since 2026-12-02T01:50:03Z (last error: Connection refused)"));
            given().get("/q/health/live").then().statusCode(200);
        } finally {
            health.consuming("probe-in");
        }
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("checks.find { it.name == 'ebbtide-consumers' }.data['autoscaler-in']", equalTo("consuming"))
                .body("checks.find { it.name == 'ebbtide-consumers' }.data['probe-in']", equalTo("consuming"));
    }
}
