package dev.ebbtide.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
