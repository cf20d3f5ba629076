package dev.ebbtide.agent.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Imports image tarballs built here in both forms container tools write, and refuses bad ones. */
class ImageStoreTest {
    @TempDir
    Path tmp;

    /** Tar entries: name → content ({@code null} = directory, {@code "->target"} = symbolic link). */
    static byte[] tar(Map<String, String> entries, boolean gzip) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream out = gzip ? new GzipCompressorOutputStream(bytes) : bytes;
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> e : entries.entrySet()) {
                TarArchiveEntry te;
                if (e.getValue() == null) {
                    te = new TarArchiveEntry(e.getKey() + "/");
                    te.setMode(0755);
                    t.putArchiveEntry(te);
                } else if (e.getValue().startsWith("->")) {
                    te = new TarArchiveEntry(e.getKey(), TarArchiveEntry.LF_SYMLINK);
                    te.setLinkName(e.getValue().substring(2));
                    t.putArchiveEntry(te);
                } else {
                    byte[] content = e.getValue().getBytes(StandardCharsets.UTF_8);
                    te = new TarArchiveEntry(e.getKey());
                    te.setSize(content.length);
                    te.setMode(e.getKey().startsWith("bin/") ? 04755 : 0644);
                    t.putArchiveEntry(te);
                    t.write(content);
                }
                t.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static final Map<String, String> LAYER1 = map(
            "etc", null,
            "etc/old.conf", "old",
            "opt", null,
            "opt/stale", "stale",
            "bin", null,
            "bin/tool", "#!/bin/sh\necho tool\n",
            "image-only.txt", "only in the image\n",
            "lib", "->usr/lib");
    private static final Map<String, String> LAYER2 = map(
            "etc/.wh.old.conf", "",
            "opt/.wh..wh..opq", "",
            "opt/fresh", "fresh");

    @Test
    void importsAnOciLayoutWithWhiteoutsAndDropsSetUid() throws Exception {
        byte[] l1 = tar(LAYER1, true);
        byte[] l2 = tar(LAYER2, false);
        byte[] config = "{\"config\":{\"Env\":[\"PATH=/bin\",\"LANG=C.UTF-8\"],\"WorkingDir\":\"/work\"}}"
                .getBytes(StandardCharsets.UTF_8);
        String manifest = "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" + sha(config) + "\"},\"layers\":["
                + "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:" + sha(l1)
                + "\"},{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:" + sha(l2)
                + "\"}]}";
        byte[] m = manifest.getBytes(StandardCharsets.UTF_8);
        String index = "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:" + sha(m)
                + "\",\"annotations\":{\"org.opencontainers.image.ref.name\":\"tools:1\"}}]}";
        Map<String, String> outer = map(
                "oci-layout",
                "{\"imageLayoutVersion\":\"1.0.0\"}",
                "index.json",
                index,
                "blobs/sha256/" + sha(m),
                manifest,
                "blobs/sha256/" + sha(config),
                new String(config, StandardCharsets.UTF_8),
                "blobs/sha256/" + sha(l1),
                new String(l1, StandardCharsets.ISO_8859_1),
                "blobs/sha256/" + sha(l2),
                new String(l2, StandardCharsets.ISO_8859_1));
        Path file = tmp.resolve("tools.tar");
        Files.write(file, tarBinary(outer));

        ImageStore store = new ImageStore(tmp.resolve("images"));
        ImportedImage image = store.importTarball(file, null);

        assertEquals("docker.io/library/tools:1", image.name());
        assertEquals(List.of("PATH=/bin", "LANG=C.UTF-8"), image.env());
        assertEquals("/work", image.workingDir());
        assertEquals(2, image.layers());
        Path root = image.rootfs();
        assertEquals("only in the image\n", Files.readString(root.resolve("image-only.txt")));
        assertFalse(Files.exists(root.resolve("etc/old.conf")), "whiteout removed it");
        assertFalse(Files.exists(root.resolve("opt/stale")), "opaque folder emptied");
        assertEquals("fresh", Files.readString(root.resolve("opt/fresh")));
        assertTrue(Files.isSymbolicLink(root.resolve("lib")));
        assertEquals(
                "rwxr-xr-x",
                java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(root.resolve("bin/tool"))),
                "set-uid dropped, executable kept");
        assertEquals(image, store.find("tools:1").orElseThrow());
        assertEquals(
                image.rootfs(),
                store.find("docker.io/library/tools:1").orElseThrow().rootfs());
    }

    @Test
    void importsADockerSaveTarballUnderTheGivenName() throws Exception {
        byte[] l1 = tar(map("hello.txt", "hi"), false);
        Map<String, String> outer = map(
                "manifest.json",
                        "[{\"Config\":\"cfg.json\",\"RepoTags\":[\"saved:2\"],\"Layers\":[\"abc/layer.tar\"]}]",
                "cfg.json", "{\"config\":{\"Env\":[\"A=1\"]}}",
                "abc/layer.tar", new String(l1, StandardCharsets.ISO_8859_1));
        Path file = tmp.resolve("saved.tar");
        Files.write(file, tarBinary(outer));
        ImportedImage image = new ImageStore(tmp.resolve("images")).importTarball(file, "mine/renamed:3");
        assertEquals("docker.io/mine/renamed:3", image.name());
        assertEquals("hi", Files.readString(image.rootfs().resolve("hello.txt")));
        assertEquals(List.of("docker.io/mine/renamed:3"), new ImageStore(tmp.resolve("images")).names());
    }

    @Test
    void refusesEntriesThatLeaveTheRootFilesystem() throws Exception {
        for (Map<String, String> layer :
                List.of(map("../escape.txt", "x"), map("evil", "->/etc", "evil/passwd", "owned"))) {
            byte[] l1 = tar(layer, false);
            Map<String, String> outer = map(
                    "manifest.json",
                    "[{\"RepoTags\":[\"bad:1\"],\"Layers\":[\"l.tar\"]}]",
                    "l.tar",
                    new String(l1, StandardCharsets.ISO_8859_1));
            Path file = tmp.resolve("bad.tar");
            Files.write(file, tarBinary(outer));
            IOException e = assertThrows(
                    IOException.class, () -> new ImageStore(tmp.resolve("images")).importTarball(file, null));
            assertTrue(e.getMessage().contains("outside") || e.getMessage().contains("symbolic link"), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("escape.txt")));
        }
        assertTrue(new ImageStore(tmp.resolve("images")).find("bad:1").isEmpty(), "nothing half-imported");
    }

    @Test
    void refusesAFileThatIsNoImage() throws IOException {
        Path file = tmp.resolve("notes.tar");
        Files.write(file, tar(map("README", "not an image"), false));
        IOException e =
                assertThrows(IOException.class, () -> new ImageStore(tmp.resolve("images")).importTarball(file, "x"));
        assertTrue(e.getMessage().contains("neither manifest.json"), e.getMessage());
    }

    /** The outer tar: values are raw bytes carried in ISO-8859-1 strings. */
    private static byte[] tarBinary(Map<String, String> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                byte[] content = e.getValue().getBytes(StandardCharsets.ISO_8859_1);
                TarArchiveEntry te = new TarArchiveEntry(e.getKey());
                te.setSize(content.length);
                t.putArchiveEntry(te);
                t.write(content);
                t.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }
}
