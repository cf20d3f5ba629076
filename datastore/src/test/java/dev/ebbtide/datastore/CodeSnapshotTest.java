package dev.ebbtide.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeSnapshotTest {
    @TempDir
    Path tmp;

    private Path tree() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("pkg"));
        Files.writeString(src.resolve("main.py"), "print('hello')\n");
        Files.writeString(src.resolve("pkg/util.py"), "X = 1\n");
        Files.writeString(src.resolve("run.sh"), "#!/bin/sh\necho run\n");
        Files.setPosixFilePermissions(src.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        return src;
    }

    private static List<String> paths(CodeSnapshot s) {
        return s.files().stream().map(CodeSnapshot.FileEntry::path).toList();
    }

    @Test
    void sameTreeSameDigestWhateverTheMtimes() throws IOException {
        Path src = tree();
        CodeSnapshot first = CodeSnapshot.of(src);
        Files.setLastModifiedTime(src.resolve("main.py"), FileTime.fromMillis(0));
        CodeSnapshot second = CodeSnapshot.of(src);
        assertEquals(first.digest(), second.digest());
        assertTrue(first.digest().matches("sha256:[0-9a-f]{64}"), first.digest());
        assertEquals("LocalUpload/" + first.hex() + "/code.tar.gz", first.blobPath());

        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        first.writeArchive(a);
        second.writeArchive(b);
        assertEquals(List.of(a.toByteArray().length), List.of(b.toByteArray().length));
        assertTrue(java.util.Arrays.equals(a.toByteArray(), b.toByteArray()), "the archive is deterministic");
    }

    @Test
    void contentAndExecutableBitChangeTheDigest() throws IOException {
        Path src = tree();
        String before = CodeSnapshot.of(src).digest();
        Files.writeString(src.resolve("main.py"), "print('bye')\n");
        String content = CodeSnapshot.of(src).digest();
        assertNotEquals(before, content);
        Files.setPosixFilePermissions(src.resolve("main.py"), PosixFilePermissions.fromString("rwxr-xr-x"));
        assertNotEquals(content, CodeSnapshot.of(src).digest());
        Files.move(src.resolve("pkg/util.py"), src.resolve("pkg/util2.py"));
        String renamed = CodeSnapshot.of(src).digest();
        assertNotEquals(content, renamed);
    }

    @Test
    void amlignoreWinsOverGitignoreAndGitIsNeverShipped() throws IOException {
        Path src = tree();
        Files.createDirectories(src.resolve(".git"));
        Files.writeString(src.resolve(".git/config"), "[core]\n");
        Files.createDirectories(src.resolve("data"));
        Files.writeString(src.resolve("data/big.csv"), "1,2\n");
        Files.writeString(src.resolve("notes.log"), "log\n");
        Files.writeString(src.resolve(".gitignore"), "*.log\n");
        assertEquals(
                List.of(".gitignore", "data/big.csv", "main.py", "pkg/util.py", "run.sh"), paths(CodeSnapshot.of(src)));
        Files.writeString(src.resolve(".amlignore"), "data/\n");
        assertEquals(
                List.of(".amlignore", ".gitignore", "main.py", "notes.log", "pkg/util.py", "run.sh"),
                paths(CodeSnapshot.of(src)));
    }

    @Test
    void symlinksLeavingTheTreeAreSkipped() throws IOException {
        Path src = tree();
        Path outside = tmp.resolve("secret.txt");
        Files.writeString(outside, "secret");
        Files.createSymbolicLink(src.resolve("escape.txt"), outside);
        Files.createSymbolicLink(src.resolve("alias.py"), src.resolve("main.py"));
        Files.createSymbolicLink(src.resolve("up"), tmp);
        assertEquals(List.of("alias.py", "main.py", "pkg/util.py", "run.sh"), paths(CodeSnapshot.of(src)));
    }

    @Test
    void secondUploadUploadsNothing() throws IOException {
        Path src = tree();
        LocalDatastore store = new LocalDatastore("workspaceblobstore", tmp.resolve("store"));
        CodeSnapshot.Upload first = CodeSnapshot.of(src).upload(store);
        assertTrue(first.uploaded());
        assertTrue(first.archiveBytes() > 0);
        assertEquals(3, first.files());
        assertEquals(
                "azureml://datastores/workspaceblobstore/paths/"
                        + CodeSnapshot.of(src).blobPath(),
                first.ref().uri());
        CodeSnapshot.Upload second = CodeSnapshot.of(src).upload(store);
        assertFalse(second.uploaded());
        assertEquals(0, second.archiveBytes());
        assertEquals(first.ref(), second.ref());
        assertEquals(1, store.list("LocalUpload/").size());
    }

    @Test
    void theAgentFetchesChecksAndUnpacksWhatAJobNames() throws IOException {
        Path src = tree();
        LocalDatastore store = new LocalDatastore("workspaceblobstore", tmp.resolve("store"));
        Datastores stores = Datastores.of(store, List.of());
        CodeSnapshot.Upload up = CodeSnapshot.of(src).upload(store);
        Path work = tmp.resolve("rank-0");
        assertEquals(3, CodeSnapshot.fetch(stores, up.ref(), work));
        assertEquals("print('hello')\n", Files.readString(work.resolve("main.py")));
        assertTrue(Files.isExecutable(work.resolve("run.sh")));

        // a tampered archive under the same name is refused
        Files.writeString(src.resolve("main.py"), "import os; os.system('evil')\n");
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        CodeSnapshot.of(src).writeArchive(other);
        store.put(CodeSnapshot.of(tmp.resolve("rank-0")).blobPath(), other.toByteArray());
        IOException e = assertThrows(IOException.class, () -> CodeSnapshot.fetch(stores, up.ref(), tmp.resolve("r1")));
        assertTrue(e.getMessage().contains("not " + up.ref().digest()), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("r1/main.py")));
    }

    @Test
    void overTheLimitIsOneSentenceNamingSizeAndLimit() throws IOException {
        Path src = tree();
        Files.write(src.resolve("weights.bin"), new byte[3 * 1024 * 1024]);
        CodeSnapshot.SnapshotTooLargeException e = assertThrows(
                CodeSnapshot.SnapshotTooLargeException.class,
                () -> CodeSnapshot.of(src, new CodeSnapshot.Limits(2L * 1024 * 1024, 1000)));
        assertTrue(e.getMessage().contains("3.0 MiB"), e.getMessage());
        assertTrue(e.getMessage().contains("limit of 2.0 MiB"), e.getMessage());
        assertTrue(e.getMessage().contains(".amlignore"), e.getMessage());
        CodeSnapshot.SnapshotTooLargeException files = assertThrows(
                CodeSnapshot.SnapshotTooLargeException.class,
                () -> CodeSnapshot.of(src, new CodeSnapshot.Limits(1L << 30, 2)));
        assertTrue(files.getMessage().contains("4 files, over the snapshot limit of 2 files"), files.getMessage());
    }

    @Test
    void roundTripThroughUnpackKeepsContentAndModes() throws IOException {
        Path src = tree();
        String longName = "deep/" + "x".repeat(60) + "/" + "y".repeat(60) + "/ünïcode file.txt";
        Files.createDirectories(src.resolve(longName).getParent());
        Files.writeString(src.resolve(longName), "long");
        Files.write(src.resolve("empty.bin"), new byte[0]);
        CodeSnapshot snap = CodeSnapshot.of(src);
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        snap.writeArchive(archive);
        Path out = tmp.resolve("out");
        assertEquals(5, CodeSnapshot.unpack(new ByteArrayInputStream(archive.toByteArray()), out));
        assertEquals("long", Files.readString(out.resolve(longName)));
        assertTrue(Files.isExecutable(out.resolve("run.sh")));
        assertFalse(Files.isExecutable(out.resolve("main.py")));
        assertEquals(0, Files.size(out.resolve("empty.bin")));
        assertEquals(snap.digest(), CodeSnapshot.of(out).digest(), "the unpacked tree is the same tree");
        assertEquals(snap.digest(), CodeSnapshot.digestOfArchive(new ByteArrayInputStream(archive.toByteArray())));
        // and system tar reads it too
        Path file = tmp.resolve("code.tar.gz");
        Files.write(file, archive.toByteArray());
        assertTrue(tarList(file).contains(longName), "tar -tzf lists the PAX long name");
    }

    @Test
    void anArchiveMadeBySystemTarHasTheFoldersDigest() throws Exception {
        Path src = tree();
        Path file = tmp.resolve("by-tar.tar.gz");
        Process p = new ProcessBuilder("tar", "-C", src.toString(), "-czf", file.toString(), ".")
                .redirectErrorStream(true)
                .start();
        assertEquals(0, p.waitFor());
        try (var in = Files.newInputStream(file)) {
            assertEquals(CodeSnapshot.of(src).digest(), CodeSnapshot.digestOfArchive(in));
        }
        Files.writeString(src.resolve("main.py"), "changed\n");
        try (var in = Files.newInputStream(file)) {
            assertNotEquals(CodeSnapshot.of(src).digest(), CodeSnapshot.digestOfArchive(in));
        }
    }

    private static String tarList(Path archive) throws IOException {
        Process p = new ProcessBuilder("tar", "-tzf", archive.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertEquals(0, p.waitFor(), out);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        return out;
    }

    @Test
    void entriesEscapingTheFolderAreRefused() throws IOException {
        for (String bad : List.of("../evil.sh", "a/../../evil.sh", "/etc/evil")) {
            Path out = tmp.resolve("out-" + Math.abs(bad.hashCode()));
            IOException e = assertThrows(
                    IOException.class, () -> CodeSnapshot.unpack(new ByteArrayInputStream(archive(bad, '0')), out));
            assertTrue(e.getMessage().contains(bad), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("evil.sh")));
        }
        IOException link = assertThrows(
                IOException.class,
                () -> CodeSnapshot.unpack(new ByteArrayInputStream(archive("link", '2')), tmp.resolve("l")));
        assertTrue(link.getMessage().contains("symbolic link"), link.getMessage());
        assertThrows(
                IOException.class, () -> CodeSnapshot.digestOfArchive(new ByteArrayInputStream(archive("../x", '0'))));
    }

    private static byte[] archive(String name, char type) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(Tar.rawEntry(name, type, type == '0' ? "boom".getBytes(StandardCharsets.UTF_8) : new byte[0]));
            gz.write(new byte[1024]);
        }
        return bos.toByteArray();
    }
}
