package dev.ebbtide.datastore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One datastore: a flat namespace of blobs named by {@code /}-separated paths, as Azure Blob Storage has them (Azure
 * ML's {@code workspaceblobstore} is one container). Two adapters behind it: {@link BlobDatastore} (Azure Blob
 * Storage or Azurite through the Azure SDK) and {@link LocalDatastore} (a folder on this machine). Paths never start
 * with {@code /}; a "folder" is a prefix ending in {@code /}. Every method is blocking and thread-safe. Paths are
 * checked by {@link BlobPaths#check}: a bad one throws {@link IllegalArgumentException} with one sentence.
 */
public interface Datastore {
    /** One blob: its path in the datastore and its size in bytes. */
    record Entry(String path, long size) {}

    /** What a tree copy moved. */
    record TreeCopy(int files, long bytes) {}

    /** The datastore's name ({@code workspaceblobstore} for the default). */
    String name();

    /** True if a blob with exactly this path exists. */
    boolean exists(String path) throws IOException;

    /** Writes one blob from a local file, replacing what was there. */
    void upload(Path file, String path) throws IOException;

    /** Writes one blob from bytes, replacing what was there. */
    void put(String path, byte[] bytes) throws IOException;

    /**
     * Writes one blob only if none exists at that path, atomically (two writers: exactly one wins).
     *
     * @return true if written, false if a blob was already there (left unchanged)
     */
    boolean putIfAbsent(String path, byte[] bytes) throws IOException;

    /** Reads one blob; throws {@link java.nio.file.NoSuchFileException} naming the path when it does not exist. */
    InputStream open(String path) throws IOException;

    /**
     * Writes one blob to a local file (parents created, replaced whole: a reader never sees half a file); throws
     * {@link java.nio.file.NoSuchFileException} naming the path when it does not exist.
     */
    void download(String path, Path file) throws IOException;

    /** Every blob whose path starts with {@code prefix} (a plain string prefix; "" = all), sorted by path. */
    List<Entry> list(String prefix) throws IOException;

    /** Removes one blob if it exists. */
    void delete(String path) throws IOException;

    /** Reads a whole blob into memory (small blobs only: JSON documents). */
    default byte[] read(String path) throws IOException {
        try (InputStream in = open(path)) {
            return in.readAllBytes();
        }
    }

    /**
     * Uploads every regular file under {@code dir} to {@code prefix/<relative path>} (folder semantics; symbolic
     * links are not followed, so nothing outside {@code dir} is read).
     */
    default TreeCopy uploadTree(Path dir, String prefix) throws IOException {
        String folder = BlobPaths.folder(prefix);
        if (!Files.isDirectory(dir)) {
            throw new java.nio.file.NotDirectoryException(dir + " is not a folder");
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .sorted()
                    .forEach(files::add);
        }
        long bytes = 0;
        for (Path file : files) {
            upload(file, folder + BlobPaths.relative(dir, file));
            bytes += Files.size(file);
        }
        return new TreeCopy(files.size(), bytes);
    }

    /**
     * Downloads every blob under the folder {@code prefix} to {@code dir/<path relative to prefix>}. A blob whose
     * relative path would leave {@code dir} is refused before anything is written.
     */
    default TreeCopy downloadTree(String prefix, Path dir) throws IOException {
        String folder = BlobPaths.folder(prefix);
        List<Entry> entries = list(folder);
        List<Path> targets = new ArrayList<>();
        for (Entry e : entries) {
            targets.add(BlobPaths.under(dir, e.path().substring(folder.length())));
        }
        Files.createDirectories(dir);
        long bytes = 0;
        for (int i = 0; i < entries.size(); i++) {
            download(entries.get(i).path(), targets.get(i));
            bytes += entries.get(i).size();
        }
        return new TreeCopy(entries.size(), bytes);
    }
}
