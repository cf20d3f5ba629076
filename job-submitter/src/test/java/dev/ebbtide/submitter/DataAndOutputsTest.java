package dev.ebbtide.submitter;

import static dev.ebbtide.submitter.SnapshotUploadTest.ALICE;
import static dev.ebbtide.submitter.SnapshotUploadTest.OPERATOR;
import static dev.ebbtide.submitter.SnapshotUploadTest.VIEWER;
import static dev.ebbtide.submitter.SnapshotUploadTest.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.datastore.OutputsManifest;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.submitter.config.DatastoreConfig;
import dev.ebbtide.submitter.service.DatastoreService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Named datastores, data assets and job outputs over REST, on the test's local default datastore. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
@WithTestResource(FakeScheduler.class)
class DataAndOutputsTest {
    static {
        RestAssured.config = RestAssured.config()
                .encoderConfig(io.restassured.config.EncoderConfig.encoderConfig()
                        .encodeContentTypeAs("application/yaml", io.restassured.http.ContentType.TEXT));
    }

    /** Not a real key; must never come back in a response. */
    private static final String KEY = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ==";

    @Inject
    DatastoreService datastores;

    @Inject
    DatastoreConfig config;

    Datastore store;

    @BeforeEach
    void setUp() {
        RestAssured.requestSpecification = null;
        store = datastores.defaultStore();
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Test
    void anOperatorDefinesADatastoreWhoseSecretIsNeverShown() throws Exception {
        String name = unique("blob_");
        String yaml = """
                $schema: https://azuremlschemas.azureedge.net/latest/azureBlob.schema.json
                name: %s
                type: azure_blob
                account_name: mystorageaccount
                container_name: data
                credentials:
                  account_key: %s
                """.formatted(name, KEY);
        as(ALICE)
                .contentType("application/yaml")
                .body(yaml)
                .post("/datastores")
                .then()
                .statusCode(403);
        String created = as(OPERATOR)
                .contentType("application/yaml")
                .body(yaml)
                .post("/datastores")
                .then()
                .statusCode(201)
                .body("name", equalTo(name))
                .body("credentials", equalTo("account_key"))
                .extract()
                .asString();
        assertFalse(created.contains(KEY), created);
        java.nio.file.Path file = config.definitionsDir().resolve(name + ".yml");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        as(OPERATOR)
                .contentType("application/yaml")
                .body(yaml)
                .post("/datastores")
                .then()
                .statusCode(409)
                .body("error", equalTo("datastore '" + name + "' already exists"));
        for (String token : new String[] {VIEWER, ALICE, OPERATOR}) {
            String all = as(token)
                    .get("/datastores")
                    .then()
                    .statusCode(200)
                    .body("name", hasItem("workspaceblobstore"))
                    .body("name", hasItem(name))
                    .extract()
                    .asString();
            assertFalse(all.contains(KEY), all);
        }
        as(null).get("/datastores").then().statusCode(401);
        as(OPERATOR)
                .contentType("application/yaml")
                .body("name: x\ntype: azure_file\n")
                .post("/datastores")
                .then()
                .statusCode(400)
                .body("error", containsString("azure_file"));
    }

    @Test
    void dataAssetsAreVersionedNeverOverwrittenAndReadByViewers() throws Exception {
        String name = unique("iris-");
        store.put("data/" + name + "/iris.csv", "a\n".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> body = Map.of(
                "name",
                name,
                "type",
                "uri_file",
                "path",
                "azureml://datastores/workspaceblobstore/paths/data/" + name + "/iris.csv",
                "description",
                "flowers");
        as(VIEWER)
                .contentType("application/json")
                .body(body)
                .post("/data")
                .then()
                .statusCode(403);
        as(ALICE)
                .contentType("application/json")
                .body(body)
                .post("/data")
                .then()
                .statusCode(201)
                .body("version", equalTo("1"))
                .body("path", equalTo(body.get("path")));
        as(ALICE)
                .contentType("application/json")
                .body(body)
                .post("/data")
                .then()
                .statusCode(201)
                .body("version", equalTo("2"));
        Map<String, Object> v1 = new java.util.HashMap<>(body);
        v1.put("version", "1");
        as(ALICE)
                .contentType("application/json")
                .body(v1)
                .post("/data")
                .then()
                .statusCode(409)
                .body("error", containsString("already exists"));
        as(VIEWER).get("/data?name=" + name).then().statusCode(200).body("version", hasSize(2));
        as(VIEWER).get("/data").then().statusCode(200).body("name", hasItem(name));
        as(VIEWER).get("/data/" + name).then().statusCode(200).body("version", hasSize(2));
        as(VIEWER).get("/data/" + name + "/versions/1").then().statusCode(200).body("description", equalTo("flowers"));
        as(VIEWER)
                .get("/data/" + name + "/versions/latest")
                .then()
                .statusCode(200)
                .body("version", equalTo("2"));
        as(VIEWER).get("/data/" + name + "/versions/9").then().statusCode(404).body("error", containsString("9"));
        as(VIEWER).get("/data/" + unique("none-")).then().statusCode(404).body("error", containsString("no data"));
        Map<String, Object> bad = new java.util.HashMap<>(body);
        bad.put("path", "azureml://datastores/nosuch/paths/x");
        as(ALICE)
                .contentType("application/json")
                .body(bad)
                .post("/data")
                .then()
                .statusCode(400)
                .body("error", containsString("no datastore named 'nosuch'"));
        bad.put("path", "./local/iris.csv");
        as(ALICE)
                .contentType("application/json")
                .body(bad)
                .post("/data")
                .then()
                .statusCode(400)
                .body("error", containsString("upload local files first"));
        as(null).get("/data").then().statusCode(401);
    }

    @Test
    void aJobsOutputsAreListedAndDownloadedByWhoMaySeeTheJob() throws Exception {
        String job = unique("known-");
        byte[] weights = "weights".getBytes(StandardCharsets.UTF_8);
        store.put("azureml/" + job + "/model/w.bin", weights);
        store.put("azureml/" + job + "/model/sub/cfg.json", "{}".getBytes(StandardCharsets.UTF_8));
        store.put("azureml/" + job + "/artifacts/outputs/result.txt", "42\n".getBytes(StandardCharsets.UTF_8));
        store.put(
                "azureml/" + job + "/artifacts/user_logs/std_log_rank_0.txt", "hi\n".getBytes(StandardCharsets.UTF_8));
        new OutputsManifest(
                        job,
                        Map.of("model", "azureml://datastores/workspaceblobstore/paths/azureml/" + job + "/model/"),
                        OutputsManifest.defaultArtifacts(job))
                .write(store);
        for (String token : new String[] {VIEWER, ALICE, OPERATOR}) {
            as(token)
                    .get("/jobs/" + job + "/outputs")
                    .then()
                    .statusCode(200)
                    .body("jobId", equalTo(job))
                    .body("outputs.model.files", equalTo(2))
                    .body("outputs.model.bytes", equalTo(9))
                    .body("outputs.model.items.path", equalTo(java.util.List.of("sub/cfg.json", "w.bin")))
                    .body("outputs.artifacts.items.path", hasItem("outputs/result.txt"))
                    .body("outputs.artifacts.items.path", hasItem("user_logs/std_log_rank_0.txt"));
        }
        byte[] got = as(ALICE)
                .get("/jobs/" + job + "/outputs/model/w.bin")
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
        assertArrayEquals(weights, got);
        as(VIEWER)
                .get("/jobs/" + job + "/outputs/artifacts/outputs/result.txt")
                .then()
                .statusCode(200)
                .body(equalTo("42\n"));
        as(ALICE)
                .get("/jobs/" + job + "/outputs/other/w.bin")
                .then()
                .statusCode(404)
                .body("error", equalTo("job '" + job + "' has no output named 'other'"));
        as(ALICE).get("/jobs/" + job + "/outputs/model/nope.bin").then().statusCode(404);
        as(ALICE)
                .urlEncodingEnabled(false)
                .get("/jobs/" + job + "/outputs/model/..%2F..%2Foutputs.json")
                .then()
                .statusCode(400)
                .body("error", containsString("'..' segment"));
        as(ALICE)
                .urlEncodingEnabled(false)
                .get("/jobs/" + job + "/outputs/model/%2Fetc%2Fpasswd")
                .then()
                .statusCode(400)
                .body("error", containsString("starts with '/'"));
    }

    @Test
    void noOutputsYetAnUnknownJobAndSomeoneElsesJobEachGetASentence() {
        String job = unique("known-");
        as(ALICE)
                .get("/jobs/" + job + "/outputs")
                .then()
                .statusCode(404)
                .body("error", containsString("has no outputs yet"));
        as(ALICE).get("/jobs/nope/outputs").then().statusCode(404).body("error", equalTo("no job 'nope'"));
        as(ALICE)
                .get("/jobs/forbidden-1/outputs")
                .then()
                .statusCode(403)
                .body("error", equalTo("job 'forbidden-1' was submitted by someone else"));
        as(ALICE).get("/jobs/forbidden-1/outputs/model/w.bin").then().statusCode(403);
        as(null).get("/jobs/" + job + "/outputs").then().statusCode(401);
    }
}
