package dev.ebbtide.submitter;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.datastore.CodeSnapshot;
import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.submitter.service.DatastoreService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PUT/HEAD /snapshots and PUT /datastores/{name}/paths/…: real CodeSnapshot archives into the test's local store. */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
@WithTestResource(FakeScheduler.class)
class SnapshotUploadTest {
    static final String VIEWER = DevTokens.testToken("vera", "viewer");
    static final String ALICE = DevTokens.testToken("alice", "submitter");
    static final String OPERATOR = DevTokens.testToken("olga", "operator");

    @Inject
    DatastoreService datastores;

    @TempDir
    Path tmp;

    Datastore store;

    @BeforeEach
    void setUp() {
        RestAssured.requestSpecification = null;
        store = datastores.defaultStore();
    }

    static RequestSpecification as(String token) {
        RequestSpecification r = given();
        return token == null ? r : r.header("Authorization", "Bearer " + token);
    }

    /** A folder whose content is new to the store (the test store outlives a run). */
    private CodeSnapshot freshSnapshot() throws Exception {
        Path src = tmp.resolve("src-" + UUID.randomUUID());
        Files.createDirectories(src.resolve("pkg"));
        Files.writeString(src.resolve("train.py"), "print('" + UUID.randomUUID() + "')\n");
        Files.writeString(src.resolve("pkg/util.py"), "X = 1\n");
        return CodeSnapshot.of(src);
    }

    private static byte[] archive(CodeSnapshot s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.writeArchive(out);
        return out.toByteArray();
    }

    @Test
    void aSnapshotIsStoredOnceUnderItsDigestAndFoundByHead() throws Exception {
        CodeSnapshot s = freshSnapshot();
        byte[] tar = archive(s);
        as(ALICE).head("/snapshots/" + s.hex()).then().statusCode(404);
        String uri = "azureml://datastores/workspaceblobstore/paths/LocalUpload/" + s.hex() + "/code.tar.gz";
        as(ALICE)
                .contentType("application/gzip")
                .body(tar)
                .put("/snapshots/" + s.hex())
                .then()
                .statusCode(201)
                .body("uri", equalTo(uri))
                .body("digest", equalTo(s.digest()))
                .body("uploaded", equalTo(true));
        assertArrayEquals(tar, store.read(s.blobPath()));
        as(ALICE).head("/snapshots/" + s.hex()).then().statusCode(200);
        as(OPERATOR)
                .contentType("application/gzip")
                .body(tar)
                .put("/snapshots/" + s.hex())
                .then()
                .statusCode(200)
                .body("uploaded", equalTo(false));
    }

    @Test
    void aWrongDigestABadArchiveOrABadNameIs400WithASentence() throws Exception {
        CodeSnapshot s = freshSnapshot();
        String other = HexFormat.of().formatHex(new byte[32]);
        as(ALICE)
                .contentType("application/gzip")
                .body(archive(s))
                .put("/snapshots/" + other)
                .then()
                .statusCode(400)
                .body(
                        "error",
                        equalTo("the archive holds the tree " + s.digest() + ", not sha256:" + other
                                + "; name a snapshot by the digest of the folder it holds"));
        assertFalse(store.exists("LocalUpload/" + other + "/code.tar.gz"));
        as(ALICE)
                .contentType("application/gzip")
                .body("not a tarball".getBytes(StandardCharsets.UTF_8))
                .put("/snapshots/" + s.hex())
                .then()
                .statusCode(400)
                .body("error", equalTo("the body is not a tar.gz archive of a code folder"));
        as(ALICE).head("/snapshots/XYZ").then().statusCode(400);
        as(ALICE)
                .contentType("application/gzip")
                .body(new byte[1])
                .put("/snapshots/abc")
                .then()
                .statusCode(400)
                .body("error", containsString("'abc' is not a snapshot digest"));
    }

    @Test
    void anUploadOverTheLimitIs413WithASentence() {
        byte[] big = new byte[3 * 1024 * 1024]; // the test limit is 2M
        as(ALICE)
                .contentType("application/gzip")
                .body(big)
                .put("/snapshots/" + HexFormat.of().formatHex(new byte[32]))
                .then()
                .statusCode(413)
                .body("error", containsString("larger than the limit of 2097152 bytes"));
        as(ALICE)
                .contentType("application/octet-stream")
                .body(big)
                .put("/datastores/workspaceblobstore/paths/data/big.bin")
                .then()
                .statusCode(413);
    }

    @Test
    void snapshotsAndUploadsNeedASubmitterOrOperatorToken() throws Exception {
        CodeSnapshot s = freshSnapshot();
        as(null).head("/snapshots/" + s.hex()).then().statusCode(401);
        as(VIEWER).head("/snapshots/" + s.hex()).then().statusCode(403);
        as(VIEWER)
                .contentType("application/gzip")
                .body(archive(s))
                .put("/snapshots/" + s.hex())
                .then()
                .statusCode(403);
        as(null).contentType("application/octet-stream")
                .body(new byte[] {1})
                .put("/datastores/workspaceblobstore/paths/data/v.bin")
                .then()
                .statusCode(401);
        as(VIEWER)
                .contentType("application/octet-stream")
                .body(new byte[] {1})
                .put("/datastores/workspaceblobstore/paths/data/v.bin")
                .then()
                .statusCode(403);
        assertFalse(store.exists(s.blobPath()));
        assertFalse(store.exists("data/v.bin"));
    }

    @Test
    void aFileAndAFolderAreUploadedToADatastorePath() throws Exception {
        String run = UUID.randomUUID().toString();
        as(ALICE)
                .contentType("application/octet-stream")
                .body("a,b\n1,2\n".getBytes(StandardCharsets.UTF_8))
                .put("/datastores/workspaceblobstore/paths/data/" + run + "/iris.csv")
                .then()
                .statusCode(201)
                .body("uri", equalTo("azureml://datastores/workspaceblobstore/paths/data/" + run + "/iris.csv"))
                .body("files", equalTo(1))
                .body("bytes", equalTo(8));
        assertEquals("a,b\n1,2\n", new String(store.read("data/" + run + "/iris.csv"), StandardCharsets.UTF_8));
        CodeSnapshot folder = freshSnapshot();
        as(ALICE)
                .contentType("application/gzip")
                .body(archive(folder))
                .put("/datastores/workspaceblobstore/paths/data/" + run + "/folder?archive=tar.gz")
                .then()
                .statusCode(201)
                .body("uri", equalTo("azureml://datastores/workspaceblobstore/paths/data/" + run + "/folder/"))
                .body("files", equalTo(2));
        assertEquals("X = 1\n", new String(store.read("data/" + run + "/folder/pkg/util.py"), StandardCharsets.UTF_8));
        as(ALICE)
                .head("/datastores/workspaceblobstore/paths/data/" + run + "/folder")
                .then()
                .statusCode(200);
        as(ALICE)
                .head("/datastores/workspaceblobstore/paths/data/" + run + "/iris.csv")
                .then()
                .statusCode(200);
        as(ALICE)
                .head("/datastores/workspaceblobstore/paths/data/" + run + "/none")
                .then()
                .statusCode(404);
    }

    @Test
    void contentAddressedUploadsMustMatchTheirDigestAndAreNeverRewritten() throws Exception {
        byte[] content = ("rows " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        String sha = HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
        String wrong = HexFormat.of().formatHex(new byte[32]);
        as(ALICE)
                .contentType("application/octet-stream")
                .body(content)
                .put("/datastores/workspaceblobstore/paths/LocalUpload/" + wrong + "/rows.txt")
                .then()
                .statusCode(400)
                .body("error", containsString("but this file is sha256:" + sha));
        for (int expected : new int[] {201, 200}) {
            as(ALICE)
                    .contentType("application/octet-stream")
                    .body(content)
                    .put("/datastores/workspaceblobstore/paths/LocalUpload/" + sha + "/rows.txt")
                    .then()
                    .statusCode(expected)
                    .body("files", equalTo(expected == 201 ? 1 : 0));
        }
        CodeSnapshot folder = freshSnapshot();
        as(ALICE)
                .contentType("application/gzip")
                .body(archive(folder))
                .put("/datastores/workspaceblobstore/paths/LocalUpload/" + folder.hex() + "/data?archive=tar.gz")
                .then()
                .statusCode(201)
                .body("files", equalTo(2));
        assertTrue(store.exists("LocalUpload/" + folder.hex() + "/data/train.py"));
    }

    @Test
    void badPathsUnknownDatastoresAndEbbtidesOwnFolderAreRefusedWithASentence() {
        byte[] one = {1};
        as(ALICE)
                .contentType("application/octet-stream")
                .body(one)
                .put("/datastores/workspaceblobstore/paths/azureml/someone-elses-job/model/w.bin")
                .then()
                .statusCode(403)
                .body("error", containsString("written by Ebbtide only"));
        as(ALICE)
                .contentType("application/octet-stream")
                .body(one)
                .put("/datastores/nosuch/paths/a.bin")
                .then()
                .statusCode(400)
                .body("error", containsString("there is no datastore named 'nosuch'"));
        // encoded slashes reach the endpoint inside one path parameter: refused there
        for (String bad : new String[] {"%2Fetc%2Fpasswd", "a/..%2F..%2Fb", "a%2F%2E%2E%2F%2E%2E%2Fb"}) {
            as(ALICE)
                    .urlEncodingEnabled(false)
                    .contentType("application/octet-stream")
                    .body(one)
                    .put("/datastores/workspaceblobstore/paths/" + bad)
                    .then()
                    .log()
                    .ifValidationFails()
                    .statusCode(400)
                    .body("error", containsString("blob path"));
        }
        // dot segments are resolved by the HTTP server before routing (RFC 3986): the request leaves /paths/
        as(ALICE)
                .urlEncodingEnabled(false)
                .contentType("application/octet-stream")
                .body(one)
                .put("/datastores/workspaceblobstore/paths/a/%2E%2E/%2E%2E/%2E%2E/etc/passwd")
                .then()
                .statusCode(404);
        as(ALICE)
                .contentType("application/octet-stream")
                .body(one)
                .put("/datastores/workspaceblobstore/paths/x?archive=zip")
                .then()
                .statusCode(400)
                .body("error", equalTo("archive=zip is not supported: send a folder as archive=tar.gz"));
    }
}
