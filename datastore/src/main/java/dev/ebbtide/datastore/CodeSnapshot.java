package dev.ebbtide.datastore;

import dev.ebbtide.common.job.CodeRef;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A job's {@code code:} folder, snapshotted: the files it holds (after {@code .amlignore}, else {@code .gitignore};
 * see {@link IgnoreRules}), a digest that names the tree, and a deterministic {@code tar.gz}. The same tree (paths,
 * contents, executable bits) has the same digest wherever and whenever it is taken, modification times play no
 * part, so it is uploaded once: to {@code LocalUpload/<hex digest>/code.tar.gz} of a datastore.
 *
 * <p>What is in a snapshot: regular files, each with its executable bit (archived as mode 755 or 644, mtime 0,
 * owner 0). Not in it: {@code .git/} folders, what the ignore file excludes, empty folders, and symbolic links
 * except those to a regular file inside the folder (archived as a copy of that file). Limits (configurable): 1 GiB
 * of file contents before compression and 100,000 files; over either, one sentence names the size and the limit and
 * suggests {@code .amlignore}.
 *
 * <p>Digest: {@code sha256} over, for each file in path order, {@code <path>\0<mode>\0<sha256 hex of content>\n};
 * shown as {@code sha256:<hex>}.
 */
public final class CodeSnapshot {
    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    public static final int DEFAULT_MAX_FILES = 100_000;
    public static final String ARCHIVE_NAME = "code.tar.gz";

    /** One file of the snapshot. */
    public record FileEntry(String path, boolean executable, long size, String sha256) {}

    /** What {@link #upload} did. */
    public record Upload(CodeRef ref, boolean uploaded, long archiveBytes, int files, long contentBytes) {}

    /** The size limits. */
    public record Limits(long maxBytes, int maxFiles) {
        public static final Limits DEFAULT = new Limits(DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES);
    }

    private final Path dir;
    private final List<FileEntry> files;
    private final String hex;
    private final long contentBytes;

    private CodeSnapshot(Path dir, List<FileEntry> files, String hex, long contentBytes) {
        this.dir = dir;
        this.files = files;
        this.hex = hex;
        this.contentBytes = contentBytes;
    }

    /** Snapshots a folder with the default limits. */
    public static CodeSnapshot of(Path dir) throws IOException {
        return of(dir, Limits.DEFAULT);
    }

    /**
     * Walks and hashes a folder.
     *
     * @throws SnapshotTooLargeException over a limit
     * @throws java.nio.file.NotDirectoryException when {@code dir} is not a folder
     */
    public static CodeSnapshot of(Path dir, Limits limits) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new java.nio.file.NotDirectoryException(
                    "the code folder " + dir + " does not exist or is not a folder");
        }
        Path realRoot = root.toRealPath();
        IgnoreRules rules = ignoreRules(root);
        List<Path> found = new ArrayList<>();
        long[] total = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                if (d.equals(root)) {
                    return FileVisitResult.CONTINUE;
                }
                String rel = BlobPaths.relative(root, d);
                if (d.getFileName().toString().equals(".git") || rules.ignored(rel, true)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                String rel = BlobPaths.relative(root, f);
                if (rules.ignored(rel, false)) {
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink()) {
                    Path target;
                    try {
                        target = f.toRealPath();
                    } catch (IOException dangling) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (!target.startsWith(realRoot) || !Files.isRegularFile(target)) {
                        return FileVisitResult.CONTINUE; // leaves the tree, or a folder: skipped
                    }
                } else if (!attrs.isRegularFile()) {
                    return FileVisitResult.CONTINUE;
                }
                found.add(f);
                total[0] += Files.size(f);
                return FileVisitResult.CONTINUE;
            }
        });
        if (total[0] > limits.maxBytes()) {
            throw new SnapshotTooLargeException("the code folder " + dir + " holds " + human(total[0])
                    + " in " + found.size() + " files, over the snapshot limit of " + human(limits.maxBytes())
                    + "; exclude data, outputs and environments with a .amlignore file");
        }
        if (found.size() > limits.maxFiles()) {
            throw new SnapshotTooLargeException("the code folder " + dir + " has " + found.size()
                    + " files, over the snapshot limit of " + limits.maxFiles()
                    + " files; exclude what the job does not need with a .amlignore file");
        }
        List<FileEntry> entries = new ArrayList<>();
        for (Path f : found) {
            entries.add(new FileEntry(BlobPaths.relative(root, f), executable(f), Files.size(f), sha256Of(f)));
        }
        entries.sort(Comparator.comparing(FileEntry::path));
        long bytes = 0;
        for (FileEntry e : entries) {
            bytes += e.size();
        }
        return new CodeSnapshot(root, List.copyOf(entries), treeDigest(entries), bytes);
    }

    /** The ignore rules a folder's snapshot uses: its {@code .amlignore}, else its {@code .gitignore}, else none. */
    public static IgnoreRules ignoreRules(Path dir) throws IOException {
        for (String name : List.of(".amlignore", ".gitignore")) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                return IgnoreRules.parse(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        return IgnoreRules.none();
    }

    /** {@code sha256:<hex>}. */
    public String digest() {
        return "sha256:" + hex;
    }

    public String hex() {
        return hex;
    }

    /** The files, sorted by path. */
    public List<FileEntry> files() {
        return files;
    }

    /** Total size of the files' contents before compression. */
    public long contentBytes() {
        return contentBytes;
    }

    /** {@code LocalUpload/<hex>/code.tar.gz}. */
    public String blobPath() {
        return "LocalUpload/" + hex + "/" + ARCHIVE_NAME;
    }

    /** The reference a job carries once uploaded to {@code datastore}. */
    public CodeRef ref(String datastore) {
        return new CodeRef("azureml://datastores/" + datastore + "/paths/" + blobPath(), digest());
    }

    /**
     * Writes the deterministic archive; checks each file is still what was hashed.
     *
     * @throws IOException when a file changed since the snapshot was taken
     */
    public void writeArchive(OutputStream out) throws IOException {
        GZIPOutputStream gzip = new GZIPOutputStream(out, 64 * 1024);
        Tar.Writer tar = new Tar.Writer(gzip);
        byte[] buf = new byte[64 * 1024];
        for (FileEntry e : files) {
            tar.fileHeader(e.path(), e.size(), e.executable());
            MessageDigest md = sha256();
            long written = 0;
            try (InputStream in = Files.newInputStream(dir.resolve(e.path()))) {
                int n;
                while (written < e.size()
                        && (n = in.read(buf, 0, (int) Math.min(buf.length, e.size() - written))) > 0) {
                    md.update(buf, 0, n);
                    gzip.write(buf, 0, n);
                    written += n;
                }
            }
            if (written != e.size() || !HexFormat.of().formatHex(md.digest()).equals(e.sha256())) {
                throw new IOException(
                        "'" + e.path() + "' changed while the code folder was being snapshotted; " + "submit again");
            }
            tar.pad(e.size());
        }
        tar.finish();
        gzip.finish();
        gzip.flush();
    }

    /**
     * Uploads the archive unless the datastore already has this digest's archive.
     *
     * @return the reference, and whether anything was uploaded
     */
    public Upload upload(Datastore store) throws IOException {
        String path = blobPath();
        if (store.exists(path)) {
            return new Upload(ref(store.name()), false, 0, files.size(), contentBytes);
        }
        Path temp = Files.createTempFile("ebbtide-code-", ".tar.gz");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp, StandardOpenOption.WRITE))) {
                writeArchive(out);
            }
            long size = Files.size(temp);
            store.upload(temp, path);
            return new Upload(ref(store.name()), true, size, files.size(), contentBytes);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Unpacks a snapshot archive ({@code tar.gz}) into {@code dir} (created if missing), restoring executable bits.
     * Refuses, before writing the entry, any entry whose path is absolute or would leave {@code dir}, and any link or
     * device entry.
     *
     * @return the number of files written
     */
    public static int unpack(InputStream archive, Path dir) throws IOException {
        Path base = dir.toAbsolutePath().normalize();
        Files.createDirectories(base);
        Tar.Reader tar = new Tar.Reader(new GZIPInputStream(archive, 64 * 1024));
        int count = 0;
        Tar.Entry e;
        while ((e = tar.next()) != null) {
            String name = checkedName(e);
            if (name == null) {
                continue;
            }
            Path target = base.resolve(name).normalize();
            if (!target.startsWith(base) || target.equals(base)) {
                throw new IOException("the code archive has an entry that would leave the folder ('" + name
                        + "'); refusing to unpack it");
            }
            if (e.isDirectory()) {
                Files.createDirectories(target);
                continue;
            }
            refuseLinkedParents(base, target.getParent());
            Files.createDirectories(target.getParent());
            Files.copy(tar.content(), target, StandardCopyOption.REPLACE_EXISTING);
            setExecutable(target, (e.mode() & 0100) != 0);
            count++;
        }
        return count;
    }

    /**
     * What the agent runs: downloads the snapshot a job names to a temporary file (parallel ranges on Blob Storage),
     * checks that it holds the tree its digest names, and unpacks it into {@code dir}.
     *
     * @return the number of files written
     * @throws IOException with one sentence when the archive is missing or does not match its digest
     */
    public static int fetch(Datastores stores, CodeRef ref, Path dir) throws IOException {
        Datastores.Location at = stores.resolve(dev.ebbtide.common.data.DataUri.parse(ref.uri()));
        Path temp = Files.createTempFile("ebbtide-code-", ".tar.gz");
        try {
            at.datastore().download(at.path(), temp);
            String actual;
            try (InputStream in = Files.newInputStream(temp)) {
                actual = digestOfArchive(in);
            }
            if (!actual.equals(ref.digest())) {
                throw new IOException("the code snapshot at " + ref.uri() + " holds " + actual + ", not " + ref.digest()
                        + "; refusing to run it");
            }
            try (InputStream in = Files.newInputStream(temp)) {
                return unpack(in, dir);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * The digest of the tree an archive holds, computed as {@link #digest()} is for a folder: for a server that
     * receives a snapshot archive (the REST upload) and must name it by content, or check the digest a client claims.
     * Refuses the same entries {@link #unpack} refuses.
     *
     * @return {@code sha256:<hex>}
     */
    public static String digestOfArchive(InputStream archive) throws IOException {
        Tar.Reader tar = new Tar.Reader(new GZIPInputStream(archive, 64 * 1024));
        List<FileEntry> entries = new ArrayList<>();
        Tar.Entry e;
        while ((e = tar.next()) != null) {
            String name = checkedName(e);
            if (name == null || e.isDirectory()) {
                continue;
            }
            Path normal = Path.of("/root").resolve(name).normalize();
            if (!normal.startsWith("/root") || normal.equals(Path.of("/root"))) {
                throw new IOException(
                        "the code archive has an entry that would leave the folder ('" + name + "'); refusing it");
            }
            MessageDigest md = sha256();
            long size;
            try (InputStream in = new DigestInputStream(tar.content(), md)) {
                size = in.transferTo(OutputStream.nullOutputStream());
            }
            String path = BlobPaths.relative(Path.of("/root"), normal);
            entries.add(new FileEntry(
                    path, (e.mode() & 0100) != 0, size, HexFormat.of().formatHex(md.digest())));
        }
        return "sha256:" + treeDigest(entries);
    }

    /** The entry's name without {@code ./}, null for the root folder; refuses absolute names and links. */
    private static String checkedName(Tar.Entry e) throws IOException {
        String name = e.name();
        while (name.startsWith("./")) {
            name = name.substring(2);
        }
        if (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty() || name.equals(".")) {
            return null;
        }
        if (name.startsWith("/") || name.contains("\\") || name.contains("\0")) {
            throw new IOException("the code archive has an entry with an absolute or malformed path ('" + name
                    + "'); refusing to unpack it");
        }
        if (!e.isFile() && !e.isDirectory()) {
            throw new IOException("the code archive has a " + typeName(e.type()) + " entry ('" + name
                    + "'); only files and folders are unpacked");
        }
        return name;
    }

    private static String treeDigest(List<FileEntry> unsorted) {
        List<FileEntry> entries = new ArrayList<>(unsorted);
        entries.sort(Comparator.comparing(FileEntry::path));
        MessageDigest tree = sha256();
        for (FileEntry e : entries) {
            tree.update((e.path() + "\0" + (e.executable() ? "755" : "644") + "\0" + e.sha256() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(tree.digest());
    }

    /** A parent folder that is a symbolic link would let a later entry write outside {@code base}. */
    private static void refuseLinkedParents(Path base, Path parent) throws IOException {
        for (Path p = parent; p != null && !p.equals(base); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new IOException("the folder " + base.relativize(p) + " is a symbolic link; refusing to unpack");
            }
        }
    }

    private static String typeName(char type) {
        return switch (type) {
            case '1' -> "hard link";
            case '2' -> "symbolic link";
            case '3', '4' -> "device";
            case '6' -> "FIFO";
            default -> "type '" + type + "'";
        };
    }

    private static boolean executable(Path f) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
            return perms.contains(PosixFilePermission.OWNER_EXECUTE);
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    private static void setExecutable(Path f, boolean executable) throws IOException {
        try {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            f.toFile().setExecutable(executable);
        }
    }

    private static String sha256Of(Path f) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return bytes + " bytes";
    }

    /** Over a snapshot limit; the message says which, by how much, and suggests {@code .amlignore}. */
    public static final class SnapshotTooLargeException extends IOException {
        public SnapshotTooLargeException(String message) {
            super(message);
        }
    }
}
