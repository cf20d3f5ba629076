package dev.ebbtide.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * A real, tiny container image written as an OCI image layout tarball, as {@code podman save --format oci-archive}
 * writes one: this host's {@code /bin/sh}, {@code cat} and {@code ls} with the libraries {@code ldd} names, plus a
 * file only the image has. Nothing of the host is in it but those programs.
 */
final class TinyImage {
    static final String MARKER = "/image-only.txt";

    private TinyImage() {}

    /** Writes the tarball; the marker file holds {@code marker}. */
    static Path write(Path file, String marker) throws IOException, InterruptedException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        TreeSet<String> libs = new TreeSet<>();
        for (String bin : new String[] {"/bin/sh", "/bin/cat", "/bin/ls"}) {
            Path real = Path.of(bin).toRealPath();
            files.put(bin.substring(1), Files.readAllBytes(real));
            libs.addAll(libraries(real));
        }
        for (String lib : libs) {
            files.put(lib.substring(1), Files.readAllBytes(Path.of(lib).toRealPath()));
        }
        files.put(MARKER.substring(1), marker.getBytes(StandardCharsets.UTF_8));
        byte[] layer = layer(files);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin\"]}}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
                        + sha(config) + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                        + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:" + sha(layer)
                        + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] index = ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                        + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + sha(manifest)
                        + "\",\"size\":" + manifest.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> outer = new LinkedHashMap<>();
        outer.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        outer.put("index.json", index);
        outer.put("blobs/sha256/" + sha(manifest), manifest);
        outer.put("blobs/sha256/" + sha(config), config);
        outer.put("blobs/sha256/" + sha(layer), layer);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(tar(outer, false));
        }
        return file;
    }

    private static TreeSet<String> libraries(Path binary) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ldd", binary.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        TreeSet<String> libs = new TreeSet<>();
        Matcher m = Pattern.compile("(/[^\\s]+)").matcher(out);
        while (m.find()) {
            libs.add(m.group(1));
        }
        return libs;
    }

    private static byte[] layer(Map<String, byte[]> files) throws IOException {
        return tar(files, true);
    }

    private static byte[] tar(Map<String, byte[]> files, boolean gzip) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream sink = gzip ? new GzipCompressorOutputStream(bytes) : bytes;
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(sink)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(f.getValue().length);
                e.setMode(f.getKey().startsWith("bin/") || f.getKey().contains(".so") ? 0755 : 0644);
                t.putArchiveEntry(e);
                t.write(f.getValue());
                t.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
