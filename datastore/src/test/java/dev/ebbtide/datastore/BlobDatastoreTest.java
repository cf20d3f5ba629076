package dev.ebbtide.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract against Azurite (installed with npm on first use and started here), one container per test. */
class BlobDatastoreTest extends DatastoreContract {
    static Azurite azurite;
    private static int count;

    @BeforeAll
    static void startAzurite() throws IOException {
        azurite = Azurite.start();
    }

    @AfterAll
    static void stopAzurite() {
        if (azurite != null) {
            azurite.close();
        }
    }

    @Override
    Datastore newStore(String name) {
        return azurite.datastore(name, "contract-" + (count++));
    }

    @Test
    void theContainerIsCreatedOnTheFirstWrite() throws IOException {
        BlobDatastore blob = azurite.datastore("late", "not-yet-created");
        assertEquals(List.of(), blob.list(""), "a missing container lists as empty");
        assertFalse(blob.exists("x"));
        blob.put("x", "1".getBytes(StandardCharsets.UTF_8));
        assertTrue(blob.exists("x"));
    }

    @Test
    void aConnectionStringWorksAndNeverShows() throws IOException {
        BlobDatastore blob = BlobDatastore.connect(
                "cs",
                null,
                null,
                "by-connection-string",
                new BlobDatastore.Credential.ConnectionString(azurite.connectionString()));
        blob.put("y", new byte[] {1});
        assertTrue(blob.exists("y"));
        assertFalse(blob.toString().contains(Azurite.KEY), blob.toString());
        assertTrue(blob.toString().contains(azurite.serviceUrl()), blob.toString());
    }

    @Test
    void aWrongKeyIsOneSentenceWithoutTheKey() {
        String wrongKey = "V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3Jvbmc=";
        BlobDatastore blob = BlobDatastore.connect(
                "wrong",
                azurite.serviceUrl(),
                Azurite.ACCOUNT,
                "wrong-key",
                new BlobDatastore.Credential.AccountKey(wrongKey));
        IOException e = assertThrows(IOException.class, () -> blob.put("z", new byte[] {1}));
        assertTrue(e.getMessage().contains("datastore 'wrong'"), e.getMessage());
        assertTrue(e.getMessage().contains("403"), e.getMessage());
        assertFalse(e.getMessage().contains(wrongKey), e.getMessage());
        assertFalse(String.valueOf(e.getCause()).contains(wrongKey));
    }

    @Test
    void aSasTokenWorksAndAReadOnlyOneIsRefusedWithoutShowingIt() throws IOException {
        BlobDatastore owner = azurite.datastore("owner", "sas-container");
        owner.put("seed.txt", "seed".getBytes(StandardCharsets.UTF_8));
        var container = new BlobServiceClientBuilder()
                .connectionString(azurite.connectionString())
                .buildClient()
                .getBlobContainerClient("sas-container");
        OffsetDateTime expiry = OffsetDateTime.now().plusHours(1);
        String readWrite = container.generateSas(new BlobServiceSasSignatureValues(
                expiry,
                new BlobContainerSasPermission()
                        .setReadPermission(true)
                        .setWritePermission(true)
                        .setListPermission(true)
                        .setCreatePermission(true)));
        String readOnly = container.generateSas(new BlobServiceSasSignatureValues(
                expiry, new BlobContainerSasPermission().setReadPermission(true).setListPermission(true)));

        BlobDatastore rw = BlobDatastore.connect(
                "rw",
                azurite.serviceUrl(),
                Azurite.ACCOUNT,
                "sas-container",
                new BlobDatastore.Credential.SasToken("?" + readWrite));
        rw.put("by-sas.txt", "x".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("by-sas.txt", "seed.txt"), paths(rw.list("")));
        assertFalse(rw.toString().contains("sig="), rw.toString());

        BlobDatastore ro = BlobDatastore.connect(
                "ro",
                azurite.serviceUrl(),
                Azurite.ACCOUNT,
                "sas-container",
                new BlobDatastore.Credential.SasToken(readOnly));
        assertEquals("seed", new String(ro.read("seed.txt"), StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class, () -> ro.put("nope.txt", new byte[] {1}));
        assertTrue(
                e.getMessage().startsWith("datastore 'ro' could not write 'nope.txt': access denied (HTTP 403"),
                e.getMessage());
        String sig = readOnly.replaceAll(".*sig=([^&]+).*", "$1");
        assertFalse(e.getMessage().contains(sig), e.getMessage());
        assertFalse(String.valueOf(e.getCause()).contains(sig));
    }

    @Test
    void anUnreachableEndpointSaysWhere() {
        BlobDatastore blob = BlobDatastore.connect(
                "gone",
                "http://127.0.0.1:1/devstoreaccount1",
                Azurite.ACCOUNT,
                "c",
                new BlobDatastore.Credential.AccountKey(Azurite.KEY));
        IOException e = assertThrows(IOException.class, () -> blob.exists("x"));
        assertTrue(e.getMessage().contains("http://127.0.0.1:1/devstoreaccount1"), e.getMessage());
        assertFalse(e.getMessage().contains(Azurite.KEY));
    }
}
