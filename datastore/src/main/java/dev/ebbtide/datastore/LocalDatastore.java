package dev.ebbtide.datastore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A datastore in a folder of this machine: blob {@code a/b.txt} is the file {@code <root>/a/b.txt}. Writes go to a
 * temporary file in {@code <root>/.ebbtide-staging/} and are moved into place, so a reader sees the old blob or the
 * new one, never half of one. Differences from Blob Storage, each refused with a sentence: a blob cannot be both a
 * file and a "folder" ({@code a} and {@code a/b}); the first segment {@code .ebbtide-staging} is reserved.
 */
public final class LocalDatastore implements Datastore {
    static final String STAGING = ".ebbtide-staging";

    private final String name;
    private final Path root;

    public LocalDatastore(String name, Path root) {
        this.name = Objects.requireNonNull(name, "name");
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String name() {
        return name;
    }

    /** The folder holding the blobs. */
    public Path root() {
        return root;
    }

    @Override
    public boolean exists(String path) {
        return Files.isRegularFile(file(path), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void upload(Path file, String path) throws IOException {
        Path target = file(path);
        Path temp = staging();
        try {
            Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING);
            moveIntoPlace(temp, target, path);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public void put(String path, byte[] bytes) throws IOException {
        Path target = file(path);
        Path temp = staging();
        try {
            Files.write(temp, bytes);
            moveIntoPlace(temp, target, path);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public boolean putIfAbsent(String path, byte[] bytes) throws IOException {
        Path target = file(path);
        Path temp = staging();
        try {
            Files.write(temp, bytes);
            createParents(target, path);
            try {
                Files.createLink(target, temp); // atomic, fails if the target exists
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException e) {
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
                Files.move(temp, target);
                return true;
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public InputStream open(String path) throws IOException {
        Path file = file(path);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw missing(path);
        }
        return Files.newInputStream(file);
    }

    @Override
    public void download(String path, Path file) throws IOException {
        Path source = file(path);
        if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            throw missing(path);
        }
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), ".download-", ".part");
        try {
            Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public List<Entry> list(String prefix) throws IOException {
        String p = BlobPaths.checkPrefix(prefix);
        int slash = p.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(p.substring(0, slash));
        if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<Entry> entries = new ArrayList<>();
        Path staging = root.resolve(STAGING);
        try (Stream<Path> walk = Files.walk(start)) {
            walk.filter(f -> !f.startsWith(staging))
                    .filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                    .forEach(f -> {
                        String path = BlobPaths.relative(root, f);
                        if (path.startsWith(p)) {
                            try {
                                entries.add(new Entry(path, Files.size(f)));
                            } catch (NoSuchFileException gone) {
                                // deleted while listing: not there any more
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }
                    });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        entries.sort(Comparator.comparing(Entry::path));
        return entries;
    }

    @Override
    public void delete(String path) throws IOException {
        Path file = file(path);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.deleteIfExists(file);
        // empty "folders" do not exist in Blob Storage: remove them so the namespace stays flat
        for (Path dir = file.getParent(); dir != null && !dir.equals(root); dir = dir.getParent()) {
            try {
                Files.delete(dir);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                break;
            }
        }
    }

    @Override
    public String toString() {
        return "LocalDatastore[" + name + " at " + root + "]";
    }

    private Path file(String path) {
        BlobPaths.check(path);
        if (path.equals(STAGING) || path.startsWith(STAGING + "/")) {
            throw new IllegalArgumentException("blob path '" + path + "' is reserved by the local datastore");
        }
        return BlobPaths.under(root, path);
    }

    private Path staging() throws IOException {
        Path dir = root.resolve(STAGING);
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "put-", ".tmp");
    }

    private void createParents(Path target, String path) throws IOException {
        try {
            Files.createDirectories(target.getParent());
        } catch (FileAlreadyExistsException e) {
            throw new IOException("datastore '" + name + "' cannot write '" + path
                    + "': a blob named like one of its folders exists (a local datastore cannot hold both)");
        }
    }

    private void moveIntoPlace(Path temp, Path target, String path) throws IOException {
        createParents(target, path);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("datastore '" + name + "' cannot write '" + path
                    + "': it is a folder of other blobs (a local datastore cannot hold both)");
        }
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private NoSuchFileException missing(String path) {
        return new NoSuchFileException(path, null, "no such blob in datastore '" + name + "'");
    }
}
