package dev.ebbtide.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalDatastoreTest extends DatastoreContract {
    private int count;

    @Override
    Datastore newStore(String name) throws IOException {
        return new LocalDatastore(name, tmp.resolve("store-" + (count++)));
    }

    @Test
    void blobsAreFilesUnderTheRootAndStagingIsInvisible() throws IOException {
        LocalDatastore local = (LocalDatastore) store;
        local.put("a/b.txt", "x".getBytes(StandardCharsets.UTF_8));
        assertEquals("x", Files.readString(local.root().resolve("a/b.txt")));
        assertTrue(Files.isDirectory(local.root().resolve(LocalDatastore.STAGING)));
        assertEquals(List.of("a/b.txt"), paths(local.list("")));
        assertThrows(IllegalArgumentException.class, () -> local.put(".ebbtide-staging/x", new byte[0]));
    }

    @Test
    void aBlobCannotAlsoBeAFolderLocally() throws IOException {
        store.put("a/b.txt", new byte[] {1});
        IOException e = assertThrows(IOException.class, () -> store.put("a", new byte[] {2}));
        assertTrue(e.getMessage().contains("folder"), e.getMessage());
        store.put("c", new byte[] {3});
        IOException e2 = assertThrows(IOException.class, () -> store.put("c/d.txt", new byte[] {4}));
        assertTrue(e2.getMessage().contains("'c/d.txt'"), e2.getMessage());
        assertFalse(store.exists("c/d.txt"));
    }

    @Test
    void symlinksOutsideTheRootAreNotFollowed() throws IOException {
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "s3cr3t");
        LocalDatastore local = (LocalDatastore) store;
        Files.createDirectories(local.root());
        Files.createSymbolicLink(local.root().resolve("link.txt"), secret);
        assertFalse(local.exists("link.txt"));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> local.open("link.txt"));
        assertEquals(List.of(), local.list(""));
    }
}
