package dev.ebbtide.datastore;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Azurite, Microsoft's Azure Storage emulator (npm package {@code azurite}), blob service only, as a child process:
 * the Blob code path's test double, like the embedded Kafka broker. It installs itself on first use with
 * {@code npm install} into {@value #TOOLS_PROPERTY} / {@value #TOOLS_ENV} (default
 * {@code ~/.cache/ebbtide/tools}), one install per version shared by every checkout, guarded by a file lock so
 * parallel builds install once. Needs Node.js and npm on the PATH (Node 20 here: {@value #VERSION} is the newest
 * release that supports it). It listens on 127.0.0.1 on a port it picks itself (read back from its first line, so
 * two instances never collide) and stores blobs in a folder that {@link #close()} removes when it was temporary.
 *
 * <p>It lives in this module rather than dev-support because dev-support (the CLI, the benchmarks) depends on the
 * datastore, and the datastore's own contract test needs Azurite. The account is Azurite's well-known development
 * account; its key is published by Microsoft and is not a secret.
 */
public final class Azurite implements AutoCloseable {
    public static final String VERSION = "3.35.0";
    public static final String ACCOUNT = "devstoreaccount1";
    /** Azurite's published development key (documented by Microsoft; not a secret). */
    public static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static final String TOOLS_PROPERTY = "ebbtide.tools";
    public static final String TOOLS_ENV = "EBBTIDE_TOOLS";

    private static final Pattern LISTENING = Pattern.compile("listens on https?://[^:]+:(\\d+)");

    private final Process process;
    private final int port;
    private final Path location;
    private final boolean temporary;

    private Azurite(Process process, int port, Path location, boolean temporary) {
        this.process = process;
        this.port = port;
        this.location = location;
        this.temporary = temporary;
    }

    /** Starts on a port of its choosing with a fresh temporary folder, removed on {@link #close()}. */
    public static Azurite start() throws IOException {
        return start(Files.createTempDirectory("azurite-"), 0, true);
    }

    /**
     * Starts with blobs kept in {@code location} (created if missing), on {@code port} (0 = one it picks).
     */
    public static Azurite start(Path location, int port) throws IOException {
        return start(location, port, false);
    }

    private static Azurite start(Path location, int port, boolean temporary) throws IOException {
        Path main = install();
        Files.createDirectories(location);
        ProcessBuilder pb = new ProcessBuilder(
                        "node",
                        main.toString(),
                        "--blobHost",
                        "127.0.0.1",
                        "--blobPort",
                        Integer.toString(port),
                        "--location",
                        location.toString(),
                        "--skipApiVersionCheck",
                        "--loose",
                        "--silent",
                        "--disableTelemetry")
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process = pb.start();
        Deque<String> output = new ArrayDeque<>();
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader in = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            synchronized (output) {
                                output.addLast(line);
                                if (output.size() > 20) {
                                    output.removeFirst();
                                }
                            }
                            Matcher m = LISTENING.matcher(line);
                            if (m.find()) {
                                listening.complete(Integer.parseInt(m.group(1)));
                            }
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                    listening.completeExceptionally(new IOException("exited"));
                },
                "azurite-output");
        reader.setDaemon(true);
        reader.start();
        try {
            int actual = listening.get(60, TimeUnit.SECONDS);
            return new Azurite(process, actual, location, temporary);
        } catch (Exception e) {
            process.destroyForcibly();
            String tail;
            synchronized (output) {
                tail = String.join(" | ", output);
            }
            throw new IOException("Azurite did not start within 60 s (its output: " + tail + ")");
        }
    }

    /** The blob service URL, path style: {@code http://127.0.0.1:<port>/devstoreaccount1}. */
    public String serviceUrl() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    public int port() {
        return port;
    }

    /** The connection string for the development account (its key is public). */
    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY + ";BlobEndpoint="
                + serviceUrl() + ";";
    }

    /** A datastore on one container of this Azurite (created on first write). */
    public BlobDatastore datastore(String name, String container) {
        return BlobDatastore.connect(
                name, serviceUrl(), ACCOUNT, container, new BlobDatastore.Credential.AccountKey(KEY));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (temporary) {
            deleteTree(location);
        }
    }

    /**
     * Installs Azurite {@value #VERSION} if it is not installed yet.
     *
     * @return the blob service's entry script ({@code node_modules/azurite/dist/src/blob/main.js})
     */
    public static Path install() throws IOException {
        Path tools = toolsDir();
        Path dir = tools.resolve("azurite-" + VERSION);
        Path main = dir.resolve("node_modules/azurite/dist/src/blob/main.js");
        Path marker = dir.resolve(".installed");
        if (Files.exists(marker) && Files.exists(main)) {
            return main;
        }
        Files.createDirectories(tools);
        try (FileChannel lockFile = FileChannel.open(
                        tools.resolve("azurite-" + VERSION + ".lock"),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock lock = lockFile.lock()) {
            if (Files.exists(marker) && Files.exists(main)) {
                return main; // another build installed it while we waited
            }
            deleteTree(dir);
            Files.createDirectories(dir);
            Path log = dir.resolve("npm-install.log");
            ProcessBuilder pb = new ProcessBuilder(
                            "npm",
                            "install",
                            "--prefix",
                            dir.toString(),
                            "--no-audit",
                            "--no-fund",
                            "--no-save",
                            "--loglevel=error",
                            "azurite@" + VERSION)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put("npm_config_update_notifier", "false");
            Process npm;
            try {
                npm = pb.start();
            } catch (IOException e) {
                throw new IOException("cannot install Azurite: npm is not on the PATH (install Node.js 20 and npm)");
            }
            try {
                if (!npm.waitFor(10, TimeUnit.MINUTES)) {
                    npm.destroyForcibly();
                    throw new IOException("npm install azurite@" + VERSION + " took over 10 minutes; see " + log);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while installing Azurite");
            }
            if (npm.exitValue() != 0 || !Files.exists(main)) {
                List<String> lines = Files.readAllLines(log);
                String tail = String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
                throw new IOException(
                        "npm install azurite@" + VERSION + " failed with exit code " + npm.exitValue() + ": " + tail);
            }
            Files.writeString(marker, VERSION + "\n");
            return main;
        }
    }

    /** Where tools are installed: {@value #TOOLS_PROPERTY}, else {@value #TOOLS_ENV}, else ~/.cache/ebbtide/tools. */
    public static Path toolsDir() {
        String configured = System.getProperty(TOOLS_PROPERTY, System.getenv(TOOLS_ENV));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".cache", "ebbtide", "tools");
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: a temporary folder left behind is harmless
        }
    }
}
