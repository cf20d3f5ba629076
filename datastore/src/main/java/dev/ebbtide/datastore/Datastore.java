package dev.ebbtide.datastore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * One datastore: a flat namespace of blobs named by {@code /}-separated paths, as Azure Blob Storage has them (Azure
 * ML's {@code workspaceblobstore} is one container). Two adapters behind it: {@code BlobDatastore} (Azure Blob
 * Storage or Azurite through the Azure SDK) and {@code LocalDatastore} (a folder on this machine). Paths never start
 * with {@code /}; a "folder" is a prefix ending in {@code /}. Every method is blocking and thread-safe.
 */
public interface Datastore {
    /** One blob: its path in the datastore and its size in bytes. */
    record Entry(String path, long size) {}

    /** The datastore's name ({@code workspaceblobstore} for the default). */
    String name();

    /** True if a blob with exactly this path exists. */
    boolean exists(String path) throws IOException;

    /** Writes one blob from a local file, replacing what was there. */
    void upload(Path file, String path) throws IOException;

    /** Writes one blob from bytes, replacing what was there. */
    void put(String path, byte[] bytes) throws IOException;

    /** Reads one blob; throws {@link java.nio.file.NoSuchFileException} naming the path when it does not exist. */
    InputStream open(String path) throws IOException;

    /** Writes one blob to a local file (parents created). */
    void download(String path, Path file) throws IOException;

    /** Every blob whose path starts with {@code prefix}, sorted by path. */
    List<Entry> list(String prefix) throws IOException;

    /** Removes one blob if it exists. */
    void delete(String path) throws IOException;
}
