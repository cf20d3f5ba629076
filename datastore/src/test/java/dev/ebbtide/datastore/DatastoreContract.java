package dev.ebbtide.datastore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link Datastore} adapter does alike; one subclass per adapter gives a fresh, empty store. */
abstract class DatastoreContract {
    @TempDir
    Path tmp;

    Datastore store;

    /** A fresh, empty datastore named {@code name}. */
    abstract Datastore newStore(String name) throws IOException;

    @BeforeEach
    void fresh() throws IOException {
        store = newStore("workspaceblobstore");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putThenOpenReturnsTheSameBytes() throws IOException {
        store.put("a/b.txt", utf8("hello"));
        assertTrue(store.exists("a/b.txt"));
        try (InputStream in = store.open("a/b.txt")) {
            assertEquals("hello", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertFalse(store.exists("a/b"), "a prefix of a path is not a blob");
        assertFalse(store.exists("a"), "a folder is not a blob");
    }

    @Test
    void overwriteReplacesTheBlob() throws IOException {
        store.put("x.txt", utf8("first, longer content"));
        store.put("x.txt", utf8("second"));
        assertArrayEquals(utf8("second"), store.read("x.txt"));
        assertEquals(List.of(new Datastore.Entry("x.txt", 6)), store.list(""));
    }

    @Test
    void putIfAbsentWritesOnceOnly() throws IOException {
        assertTrue(store.putIfAbsent("assets/one.json", utf8("1")));
        assertFalse(store.putIfAbsent("assets/one.json", utf8("2")));
        assertArrayEquals(utf8("1"), store.read("assets/one.json"));
    }

    @Test
    void missingBlobIsNoSuchFileNamingThePath() throws IOException {
        NoSuchFileException open = assertThrows(NoSuchFileException.class, () -> store.open("nothing/here.txt"));
        assertTrue(open.getMessage().contains("nothing/here.txt"), open.getMessage());
        assertThrows(NoSuchFileException.class, () -> store.download("nothing/here.txt", tmp.resolve("out")));
        assertFalse(Files.exists(tmp.resolve("out")), "a failed download leaves no file");
        assertFalse(store.exists("nothing/here.txt"));
        store.delete("nothing/here.txt"); // deleting what is not there is fine
    }

    @Test
    void listIsSortedAndFilteredByPrefix() throws IOException {
        for (String p : List.of("b/2.txt", "a/1.txt", "b/1.txt", "ab.txt", "b/c/3.txt", "bb/4.txt")) {
            store.put(p, utf8(p));
        }
        assertEquals(
                List.of("a/1.txt", "ab.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "bb/4.txt"), paths(store.list("")));
        assertEquals(List.of("b/1.txt", "b/2.txt", "b/c/3.txt"), paths(store.list("b/")));
        assertEquals(List.of("b/1.txt", "b/2.txt", "b/c/3.txt", "bb/4.txt"), paths(store.list("b")));
        assertEquals(List.of("a/1.txt", "ab.txt"), paths(store.list("a")));
        assertEquals(List.of(), paths(store.list("zzz/")));
        assertEquals(9, store.list("b/c/").get(0).size());
    }

    @Test
    void deleteRemovesOnlyThatBlob() throws IOException {
        store.put("d/1.txt", utf8("1"));
        store.put("d/2.txt", utf8("2"));
        store.delete("d/1.txt");
        assertFalse(store.exists("d/1.txt"));
        assertEquals(List.of("d/2.txt"), paths(store.list("d/")));
        store.delete("d/2.txt");
        assertEquals(List.of(), store.list(""));
        store.put("d", utf8("now a blob")); // the folder is gone with its last blob
        assertTrue(store.exists("d"));
    }

    @Test
    void namesWithSpacesAndUnicodeRoundTrip() throws IOException {
        String path = "data sets/naïve café/数据 file (1).csv";
        store.put(path, utf8("x,y\n1,2\n"));
        assertTrue(store.exists(path));
        assertEquals(List.of(path), paths(store.list("data sets/")));
        assertArrayEquals(utf8("x,y\n1,2\n"), store.read(path));
        Path out = tmp.resolve("down/" + "数据.csv");
        store.download(path, out);
        assertEquals("x,y\n1,2\n", Files.readString(out));
    }

    @Test
    void badPathsAreRefusedWithASentence() {
        for (String bad : List.of("/abs.txt", "a/../b.txt", "a//b", "../up.txt", "", "./x")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> store.put(bad, utf8("x")), bad);
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void twentyMegabyteBlobRoundTrips() throws Exception {
        byte[] big = new byte[20 * 1024 * 1024];
        new Random(42).nextBytes(big);
        Path file = tmp.resolve("big.bin");
        Files.write(file, big);
        store.upload(file, "big/big.bin");
        assertEquals(List.of(new Datastore.Entry("big/big.bin", big.length)), store.list("big/"));
        Path back = tmp.resolve("back/big.bin");
        store.download("big/big.bin", back);
        assertEquals(sha256(big), sha256(Files.readAllBytes(back)));
        try (InputStream in = store.open("big/big.bin")) {
            assertEquals(sha256(big), sha256(in.readAllBytes()));
        }
    }

    @Test
    void treesUploadAndDownloadWithFolderSemantics() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("sub/deeper"));
        Files.writeString(src.resolve("top.txt"), "top");
        Files.writeString(src.resolve("sub/mid file.txt"), "mid");
        Files.writeString(src.resolve("sub/deeper/ünï.txt"), "deep");
        Datastore.TreeCopy up = store.uploadTree(src, "azureml/job-1/model");
        assertEquals(new Datastore.TreeCopy(3, 10), up);
        store.put("azureml/job-1/model2/other.txt", utf8("not in the folder"));
        assertEquals(
                List.of(
                        "azureml/job-1/model/sub/deeper/ünï.txt",
                        "azureml/job-1/model/sub/mid file.txt",
                        "azureml/job-1/model/top.txt"),
                paths(store.list("azureml/job-1/model/")));

        Path dst = tmp.resolve("dst");
        Datastore.TreeCopy down = store.downloadTree("azureml/job-1/model", dst);
        assertEquals(new Datastore.TreeCopy(3, 10), down);
        assertEquals("deep", Files.readString(dst.resolve("sub/deeper/ünï.txt")));
        assertEquals("mid", Files.readString(dst.resolve("sub/mid file.txt")));
        assertFalse(Files.exists(dst.resolve("other.txt")), "model2/ is another folder");
    }

    static List<String> paths(List<Datastore.Entry> entries) {
        return entries.stream().map(Datastore.Entry::path).toList();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
