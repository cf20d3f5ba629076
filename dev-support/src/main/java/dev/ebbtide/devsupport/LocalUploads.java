package dev.ebbtide.devsupport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.data.DataUri;
import dev.ebbtide.datastore.CodeSnapshot;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Copies what a job or a command names on this machine into a datastore through the job-submitter: code folders as
 * snapshots ({@code PUT /snapshots/{hex}}), files and folders content-addressed under {@code LocalUpload/<sha256>/}
 * (asked with {@code HEAD} first, so the same content uploads nothing the second time), or to a path the user gives.
 * Folders travel as a {@code tar.gz} of a {@link CodeSnapshot} (the {@code .amlignore}/{@code .gitignore} rules
 * apply; the snapshot's tree digest names them).
 */
public final class LocalUploads {
    /** Data folders are not held to the code snapshot's limits. */
    static final CodeSnapshot.Limits DATA = new CodeSnapshot.Limits(Long.MAX_VALUE, Integer.MAX_VALUE);

    private final SubmitterApi api;
    private final PrintStream out;

    public LocalUploads(SubmitterApi api, PrintStream out) {
        this.api = api;
        this.out = out;
    }

    /** Snapshots and uploads a {@code code:} folder; returns the {@code code:} value (the snapshot's URI). */
    public String code(String label, Path dir) throws IOException, SubmitterApi.Failure {
        if (!Files.isDirectory(dir)) {
            throw new SubmitterApi.Failure(label + ": the folder " + dir + " does not exist");
        }
        CodeSnapshot snapshot = CodeSnapshot.of(dir); // over the limit: SnapshotTooLargeException, one sentence
        String uri = "azureml://datastores/" + DataUri.DEFAULT_DATASTORE + "/paths/" + snapshot.blobPath();
        String what = label + ": " + dir.getFileName() + ", " + snapshot.files().size() + " files, "
                + human(snapshot.contentBytes());
        if (api.exists("/snapshots/" + snapshot.hex())) {
            out.println(what + ", already uploaded");
            return uri;
        }
        Path archive = archive(snapshot);
        try {
            api.put("/snapshots/" + snapshot.hex(), archive, "application/gzip");
        } finally {
            Files.deleteIfExists(archive);
        }
        out.println(what + ", uploaded");
        return uri;
    }

    /**
     * Uploads a local file or folder to {@code LocalUpload/<sha256>/<name>} of the default datastore unless it is
     * there; returns its URI (a folder's ends with {@code /}).
     */
    public String contentAddressed(String label, Path local) throws IOException, SubmitterApi.Failure {
        if (!Files.exists(local)) {
            throw new SubmitterApi.Failure(label + ": " + local + " does not exist");
        }
        String name = local.toAbsolutePath().normalize().getFileName().toString();
        boolean folder = Files.isDirectory(local);
        CodeSnapshot tree = folder ? CodeSnapshot.of(local, DATA) : null;
        String hex = folder ? tree.hex() : sha256(local);
        String path = "LocalUpload/" + hex + "/" + name + (folder ? "/" : "");
        String uri = "azureml://datastores/" + DataUri.DEFAULT_DATASTORE + "/paths/" + path;
        String what = label + ": " + name + ", "
                + (folder ? tree.files().size() + " files, " + human(tree.contentBytes()) : human(Files.size(local)));
        String endpoint = "/datastores/" + DataUri.DEFAULT_DATASTORE + "/paths/" + SubmitterApi.encodePath(path);
        if (api.exists(endpoint)) {
            out.println(what + ", already uploaded");
            return uri;
        }
        send(local, tree, endpoint);
        out.println(what + ", uploaded");
        return uri;
    }

    /** Uploads a file to {@code dest} (into it when it ends with {@code /}), or a folder's files under it. */
    public JsonNode to(Path local, DataUri.Datastore dest) throws IOException, SubmitterApi.Failure {
        if (!Files.exists(local)) {
            throw new SubmitterApi.Failure(local + " does not exist");
        }
        boolean folder = Files.isDirectory(local);
        String path = dest.path();
        if (!folder && (path.isEmpty() || path.endsWith("/"))) {
            path = path + local.toAbsolutePath().normalize().getFileName();
        }
        if (path.isEmpty()) {
            throw new SubmitterApi.Failure("give a folder in the datastore to upload a folder to, e.g. "
                    + "azureml://datastores/" + dest.datastore() + "/paths/data/");
        }
        String endpoint = "/datastores/" + dest.datastore() + "/paths/" + SubmitterApi.encodePath(path);
        return send(local, folder ? CodeSnapshot.of(local, DATA) : null, endpoint);
    }

    private JsonNode send(Path local, CodeSnapshot tree, String endpoint) throws IOException, SubmitterApi.Failure {
        if (tree == null) {
            return api.put(endpoint, local, "application/octet-stream");
        }
        Path archive = archive(tree);
        try {
            return api.put(endpoint + "?archive=tar.gz", archive, "application/gzip");
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    private static Path archive(CodeSnapshot snapshot) throws IOException {
        Path temp = Files.createTempFile("ebbtide-upload-", ".tar.gz");
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(temp))) {
            snapshot.writeArchive(o);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** 512 bytes, 2.1 KB, 3.4 MB, 1.2 GB (powers of 1024). */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = bytes;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
