package dev.ebbtide.agent.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The images imported on this node, one folder each: {@code <dir>/<name>/rootfs} and {@code image.json}. An image
 * arrives as a tarball in either form a container tool writes: {@code docker save} / {@code podman save}
 * ({@code manifest.json} naming layer tars) or an OCI image layout ({@code oci-layout}, {@code index.json},
 * {@code blobs/sha256/…}). Layers are applied in order with their whiteouts ({@code .wh.NAME} removes NAME,
 * {@code .wh..wh..opq} empties a folder); device files are skipped (the sandbox brings its own {@code /dev}),
 * set-uid and set-gid bits dropped, and no entry may leave the root filesystem.
 */
public final class ImageStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private final Path dir;
    private final Path mirror;

    public ImageStore(Path dir) {
        this(dir, null);
    }

    private ImageStore(Path dir, Path mirror) {
        this.dir = dir;
        this.mirror = mirror;
    }

    /**
     * The same store, but {@link #find} hands out a copy of each image's root filesystem below {@code mirror} (hard
     * links where the file system allows, else a copy; refreshed when the image is imported again). For an agent
     * running as root whose images folder sits below a directory the job user cannot pass through (a clone under
     * {@code /root}): bwrap opens the root filesystem as the job user.
     */
    public ImageStore mirroredTo(Path mirror) {
        return new ImageStore(dir, mirror);
    }

    public Path dir() {
        return dir;
    }

    /** The names of the imported images, sorted. */
    public List<String> names() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> homes = Files.list(dir)) {
            for (Path home : homes.sorted().toList()) {
                Path meta = home.resolve("image.json");
                if (Files.isRegularFile(meta)) {
                    names.add(JSON.readTree(meta.toFile()).path("name").asText());
                }
            }
        }
        return names;
    }

    /** The imported image with this reference (any spelling {@link ImageName#normalize} accepts), if any. */
    public Optional<ImportedImage> find(String reference) {
        String name;
        try {
            name = ImageName.normalize(reference);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Path home = dir.resolve(ImageName.directoryName(name));
        Path meta = home.resolve("image.json");
        if (!Files.isRegularFile(meta) || !Files.isDirectory(home.resolve("rootfs"))) {
            return Optional.empty();
        }
        try {
            Path rootfs = mirror == null ? home.resolve("rootfs") : mirrorOf(home);
            JsonNode m = JSON.readTree(meta.toFile());
            List<String> env = new ArrayList<>();
            m.path("env").forEach(e -> env.add(e.asText()));
            return Optional.of(new ImportedImage(
                    m.path("name").asText(),
                    rootfs,
                    env,
                    m.hasNonNull("workingDir") ? m.get("workingDir").asText() : null,
                    m.path("layers").asInt()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The mirrored root filesystem of the image in {@code home}, copied first when missing or older. */
    private synchronized Path mirrorOf(Path home) throws IOException {
        Path target = mirror.resolve(home.getFileName());
        Path stamp = target.resolve("image.json");
        Path source = home.resolve("image.json");
        if (Files.isRegularFile(stamp) && Files.readString(stamp).equals(Files.readString(source))) {
            return target.resolve("rootfs");
        }
        Files.createDirectories(mirror);
        Files.setPosixFilePermissions(mirror, PosixFilePermissions.fromString("rwx--x--x"));
        Path work = Files.createTempDirectory(mirror, ".copy-");
        try {
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
            if (!copy(List.of("cp", "-al", home.resolve("rootfs").toString(), work.toString()))
                    && !copy(List.of("cp", "-a", home.resolve("rootfs").toString(), work.toString()))) {
                throw new IOException("could not copy the root filesystem of " + home.getFileName() + " to " + mirror);
            }
            Files.copy(source, work.resolve("image.json"));
            deleteTree(target);
            Files.move(work, target);
        } finally {
            deleteTree(work);
        }
        return target.resolve("rootfs");
    }

    private static boolean copy(List<String> command) throws IOException {
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor() == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Imports a tarball as {@code name} (null = the tag the tarball carries), replacing an earlier import of the same
     * name only once the new one is complete.
     *
     * @throws IOException with one sentence when the file is not an image tarball Ebbtide can read
     */
    public ImportedImage importTarball(Path tarball, String name) throws IOException {
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory(dir, ".import-");
        try {
            Path outer = work.resolve("outer");
            try (InputStream in = Files.newInputStream(tarball)) {
                extract(maybeGunzip(in), outer, true);
            } catch (IOException e) {
                throw new IOException(
                        tarball + " is not a tar file of an image (docker save or OCI layout): " + e.getMessage());
            }
            Layout layout = Files.isRegularFile(outer.resolve("index.json"))
                    ? ociLayout(outer)
                    : Files.isRegularFile(outer.resolve("manifest.json")) ? dockerSave(outer) : null;
            if (layout == null) {
                throw new IOException(
                        tarball + " holds neither manifest.json (docker save) nor index.json (OCI " + "image layout)");
            }
            if (name == null && layout.tag() == null) {
                throw new IOException(tarball + " carries no image name: give one (./ebbtide image import NAME FILE)");
            }
            String normalized;
            try {
                normalized = ImageName.normalize(name != null ? name : layout.tag());
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage());
            }
            Path rootfs = work.resolve("rootfs");
            Files.createDirectories(rootfs);
            for (Path layer : layout.layers()) {
                try (InputStream in = Files.newInputStream(layer)) {
                    extract(maybeGunzip(in), rootfs, false);
                }
            }
            ObjectNode meta = JSON.createObjectNode();
            meta.put("name", normalized);
            ArrayNode env = meta.putArray("env");
            layout.config().path("config").path("Env").forEach(env::add);
            JsonNode wd = layout.config().path("config").path("WorkingDir");
            if (wd.isTextual() && !wd.asText().isEmpty()) {
                meta.put("workingDir", wd.asText());
            }
            meta.put("layers", layout.layers().size());
            Path staged = work.resolve("image");
            Files.createDirectories(staged);
            Files.move(rootfs, staged.resolve("rootfs"));
            Files.write(
                    staged.resolve("image.json"),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
            Path home = dir.resolve(ImageName.directoryName(normalized));
            if (Files.exists(home)) {
                Path old = work.resolve("old");
                Files.move(home, old);
            }
            Files.move(staged, home, StandardCopyOption.ATOMIC_MOVE);
            return find(normalized)
                    .orElseThrow(() -> new IOException("the imported image " + normalized + " could not be read back"));
        } finally {
            deleteTree(work);
        }
    }

    private record Layout(String tag, List<Path> layers, JsonNode config) {}

    private static Layout dockerSave(Path outer) throws IOException {
        JsonNode manifests = JSON.readTree(outer.resolve("manifest.json").toFile());
        JsonNode m = manifests.path(0);
        List<Path> layers = new ArrayList<>();
        for (JsonNode l : m.path("Layers")) {
            layers.add(inside(outer, l.asText()));
        }
        String tag = m.path("RepoTags").path(0).asText(null);
        JsonNode config = m.hasNonNull("Config")
                ? JSON.readTree(inside(outer, m.get("Config").asText()).toFile())
                : JSON.createObjectNode();
        return new Layout(tag, layers, config);
    }

    private static Layout ociLayout(Path outer) throws IOException {
        JsonNode index = JSON.readTree(outer.resolve("index.json").toFile());
        JsonNode desc = index.path("manifests").path(0);
        String tag = desc.path("annotations").path("io.containerd.image.name").asText(null);
        if (tag == null) {
            tag = desc.path("annotations")
                    .path("org.opencontainers.image.ref.name")
                    .asText(null);
        }
        JsonNode manifest =
                JSON.readTree(blob(outer, desc.path("digest").asText()).toFile());
        if (manifest.has("manifests")) { // an index of platforms: take linux/amd64, else the first
            JsonNode chosen = manifest.path("manifests").path(0);
            for (JsonNode d : manifest.path("manifests")) {
                if ("amd64".equals(d.path("platform").path("architecture").asText())
                        && "linux".equals(d.path("platform").path("os").asText())) {
                    chosen = d;
                    break;
                }
            }
            manifest = JSON.readTree(blob(outer, chosen.path("digest").asText()).toFile());
        }
        List<Path> layers = new ArrayList<>();
        for (JsonNode l : manifest.path("layers")) {
            String type = l.path("mediaType").asText("");
            if (type.contains("zstd")) {
                throw new IOException("layer " + l.path("digest").asText() + " is zstd-compressed, which Ebbtide "
                        + "cannot unpack: save the image with gzip layers");
            }
            layers.add(blob(outer, l.path("digest").asText()));
        }
        JsonNode config = manifest.path("config").hasNonNull("digest")
                ? JSON.readTree(
                        blob(outer, manifest.path("config").path("digest").asText())
                                .toFile())
                : JSON.createObjectNode();
        return new Layout(tag, layers, config);
    }

    private static Path blob(Path outer, String digest) throws IOException {
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw new IOException("digest '" + digest + "' is not a sha256 digest");
        }
        return inside(outer, "blobs/sha256/" + digest.substring("sha256:".length()));
    }

    private static Path inside(Path root, String relative) throws IOException {
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root) || !Files.isRegularFile(p)) {
            throw new IOException("'" + relative + "' named by the image's manifest is not in the tarball");
        }
        return p;
    }

    private static InputStream maybeGunzip(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 65536);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GzipCompressorInputStream(in, true) : in;
    }

    /** Unpacks a tar stream into {@code root}; {@code plain} = the outer tarball (no whiteouts, no links). */
    static void extract(InputStream in, Path root, boolean plain) throws IOException {
        Files.createDirectories(root);
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String name = e.getName().replaceFirst("^(\\./)+", "").replaceFirst("^/+", "");
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            Path target = root.resolve(name).normalize();
            if (!target.startsWith(root) || target.equals(root)) {
                throw new IOException("entry '" + e.getName() + "' would land outside the root filesystem");
            }
            checkParents(root, target);
            String base = target.getFileName().toString();
            if (!plain && base.equals(OPAQUE)) {
                emptyFolder(target.getParent());
                continue;
            }
            if (!plain && base.startsWith(WHITEOUT)) {
                deleteTree(target.resolveSibling(base.substring(WHITEOUT.length())));
                continue;
            }
            Files.createDirectories(target.getParent());
            if (e.isDirectory()) {
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(target);
                }
                Files.createDirectories(target);
                chmod(target, e.getMode() | 0700);
            } else if (e.isSymbolicLink() && !plain) {
                replace(target);
                Files.createSymbolicLink(target, Path.of(e.getLinkName()));
            } else if (e.isLink() && !plain) {
                Path source =
                        root.resolve(e.getLinkName().replaceFirst("^/+", "")).normalize();
                if (!source.startsWith(root)) {
                    throw new IOException("hard link '" + e.getName() + "' points outside the root filesystem");
                }
                replace(target);
                try {
                    Files.createLink(target, source);
                } catch (IOException | UnsupportedOperationException notLinkable) {
                    Files.copy(source, target, LinkOption.NOFOLLOW_LINKS);
                }
            } else if (e.isFile()) {
                replace(target);
                Files.copy(tar, target);
                chmod(target, e.getMode());
            }
            // character and block devices, fifos: skipped (the sandbox mounts its own /dev)
        }
    }

    /** A symlink among the parents would let a later entry write outside the root. */
    private static void checkParents(Path root, Path target) throws IOException {
        for (Path p = target.getParent(); p != null && !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new IOException("entry '" + root.relativize(target) + "' goes through the symbolic link '"
                        + root.relativize(p) + "'");
            }
        }
    }

    private static void replace(Path target) throws IOException {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(target);
        } else {
            Files.deleteIfExists(target);
        }
    }

    private static void chmod(Path p, int mode) throws IOException {
        Set<PosixFilePermission> perms = PosixFilePermissions.fromString(rwx(mode & 0777));
        try {
            Files.setPosixFilePermissions(p, perms);
        } catch (FileAlreadyExistsException | UnsupportedOperationException ignored) {
            // not a POSIX file system: the defaults stay
        }
    }

    private static String rwx(int mode) {
        String letters = "rwxrwxrwx";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
        }
        return sb.toString();
    }

    private static void emptyFolder(Path folder) throws IOException {
        if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> children = Files.list(folder)) {
                for (Path c : children.toList()) {
                    deleteTree(c);
                }
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> all = Files.walk(p)) {
                for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
                    if (Files.isDirectory(q, LinkOption.NOFOLLOW_LINKS)) {
                        q.toFile().setWritable(true, true);
                    }
                    Files.deleteIfExists(q);
                }
            }
        } else {
            Files.deleteIfExists(p);
        }
    }
}
