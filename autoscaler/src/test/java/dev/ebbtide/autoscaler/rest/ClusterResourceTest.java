package dev.ebbtide.autoscaler.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ops API on a real broker: create a cluster from Azure ML YAML, change its policy at runtime, dry-run. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class ClusterResourceTest {
    static {
        RestAssured.config = RestAssured.config()
                .encoderConfig(EncoderConfig.encoderConfig().encodeContentTypeAs("application/yaml", ContentType.TEXT));
    }

    @BeforeEach
    void asOperator() {
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader("Authorization", "Bearer " + DevTokens.testToken("rest-operator", "operator"))
                .build();
    }

    @Test
    void createChangeAndDryRunACluster() {
        given().contentType("application/yaml")
                .body("""
                name: rest-cluster
                type: amlcompute
                size: Standard_NC6s_v3
                max_instances: 3
                idle_time_before_scale_down: 60
                """)
                .post("/clusters")
                .then()
                .statusCode(201)
                .body("spec.name", equalTo("rest-cluster"))
                .body("currentNodeCount", equalTo(0))
                .body("allocationState", equalTo("steady"))
                .body("policy", equalTo("fixed-idle"));
        given().contentType("application/yaml")
                .body("name: rest-cluster\ntype: amlcompute\n")
                .post("/clusters")
                .then()
                .statusCode(409)
                .body("error", containsString("already exists"));

        given().contentType("application/json")
                .body("{\"min_instances\": 2, \"policy\": \"adaptive\"}")
                .post("/clusters/rest-cluster/dry-run")
                .then()
                .statusCode(200)
                .body("targetCount", equalTo(2))
                .body("reasons.code", hasItem("RAISED_TO_MIN"));
        given().get("/clusters/rest-cluster").then().body("spec.minInstances", equalTo(0)); // dry run changed nothing

        given().contentType("application/json")
                .body("{\"max_instances\": 5, \"idle_time_before_scale_down\": 10}")
                .put("/clusters/rest-cluster/policy")
                .then()
                .statusCode(200)
                .body("spec.maxInstances", equalTo(5))
                .body("spec.idleTimeBeforeScaleDown", equalTo(10))
                .body("spec.size", equalTo("Standard_NC6s_v3"));
    }

    @Test
    void attachedComputeIsNeverScaledAndItsSecretsAreNeverShown() {
        given().contentType("application/yaml")
                .body("""
                $schema: https://azuremlschemas.azureedge.net/latest/vmCompute.schema.json
                name: rest-vm
                type: virtualmachine
                resource_id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/box
                ssh_settings:
                  admin_username: azureuser
                  admin_password: hunter2-Secret!
                  ssh_private_key_file: /home/me/.ssh/secret_key_path
                """)
                .post("/clusters")
                .then()
                .statusCode(201)
                .body("spec.type", equalTo("virtualmachine"))
                .body("spec.attached.ssh.adminUsername", equalTo("azureuser"))
                .body("spec.attached.ssh.adminPassword", equalTo("(hidden)"))
                .body(not(containsString("hunter2")))
                .body(not(containsString("secret_key_path")));
        given().get("/clusters/rest-vm")
                .then()
                .statusCode(200)
                .body("spec.attached.resourceId", containsString("virtualMachines/box"))
                .body(not(containsString("hunter2")))
                .body(not(containsString("secret_key_path")))
                .body("lastReasons[0]", containsString("NOT_SCALED: rest-vm is attached compute"));
        given().get("/clusters").then().statusCode(200).body(not(containsString("hunter2")));
        given().contentType("application/json")
                .body("{}")
                .post("/clusters/rest-vm/dry-run")
                .then()
                .statusCode(200)
                .body("reasons.code", hasItem("NOT_SCALED"));
        given().contentType("application/json")
                .body("{\"max_instances\": 5}")
                .put("/clusters/rest-vm/policy")
                .then()
                .statusCode(400)
                .body("error", containsString("never scales"));
    }

    @Test
    void badInputGetsAClearError() {
        given().contentType("application/yaml")
                .body("name: [oops")
                .post("/clusters")
                .then()
                .statusCode(400)
                .body("error", containsString("not valid YAML or JSON"));
        given().contentType("application/yaml")
                .body("name: rest-bad\ntype: amlcompute\nmax_instances: 1\n")
                .post("/clusters")
                .then()
                .statusCode(201);
        given().contentType("application/json")
                .body("{\"min_instances\": 9}")
                .put("/clusters/rest-bad/policy")
                .then()
                .statusCode(400)
                .body("error", containsString("max_instances must be >= 1 and >= min_instances"));
        given().contentType("application/json")
                .body("{\"policy\": \"magic\"}")
                .put("/clusters/rest-bad/policy")
                .then()
                .statusCode(400)
                .body("error", containsString("unknown policy 'magic'"));
        given().get("/clusters/nope").then().statusCode(404).body("error", containsString("no cluster 'nope'"));
    }
}
