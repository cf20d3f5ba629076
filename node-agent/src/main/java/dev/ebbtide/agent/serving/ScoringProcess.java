package dev.ebbtide.agent.serving;

import dev.ebbtide.agent.sandbox.Sandbox;
import dev.ebbtide.agent.sandbox.SandboxRuntime;
import dev.ebbtide.common.endpoint.RequestSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One deployment instance's scoring process: the node's Python running {@code azureml_scoring_server.py} (a resource
 * of this package) with the deployment's scoring script, in the same bubblewrap sandbox as job ranks (or bare with
 * {@code sandbox=none}). It listens on a port the OS picks on {@code 127.0.0.1} (the server writes it to a file: no
 * race for a "free" port), and {@link #start} returns only once {@code GET /ready} answers 200, i.e. after the script's
 * {@code init()} returned.
 *
 * <p>In the sandbox: the code folder read-only at {@code /mnt/azureml/code}, the model read-only at {@code
 * /mnt/azureml/models/<its folder name>} with {@code AZUREML_MODEL_DIR=/mnt/azureml/models} (Azure ML's layout: the
 * model folder is a child of {@code AZUREML_MODEL_DIR}, so the sample's {@code os.path.join(AZUREML_MODEL_DIR,
 * "model/sklearn_regression_model.pkl")} finds it), the working directory {@code /mnt/azureml/wd}. The environment is
 * cleared first.
 *
 * <p>Files under {@code instanceDir}: {@code server/azureml_scoring_server.py}, {@code wd/} (its cwd and {@code
 * HOME}; {@code wd/.port}), {@code scoring.log} (the process's stdout and stderr), and with {@code sandbox=none}
 * {@code azureml-models/<name>}, a link to the model.
 */
public final class ScoringProcess implements AutoCloseable {
    public static final String SERVER = "azureml_scoring_server.py";
    public static final String PYTHON = "/usr/bin/python3";
    static final String CODE = "/mnt/azureml/code";
    static final String MODELS = "/mnt/azureml/models";
    static final String SERVER_DIR = "/mnt/azureml/server";

    /**
     * The JVM's direct child is this shell, not bwrap: bwrap's {@code --die-with-parent} is tied to the thread that
     * forked its parent, so bwrap started straight from a short-lived thread would die with that thread. TERM to the
     * shell is passed on (bwrap ends on TERM, and the sandboxed Python with it); the shell exits with the server's
     * status.
     */
    static final String WRAPPER = "\"$@\" &\n"
            + "child=$!\n"
            + "trap 'kill -TERM \"$child\" 2>/dev/null' TERM INT\n"
            + "wait \"$child\"; status=$?\n"
            + "if kill -0 \"$child\" 2>/dev/null; then wait \"$child\"; status=$?; fi\n"
            + "exit $status\n";

    /**
     * What to serve.
     *
     * @param code          the scoring code's folder
     * @param scoringScript the script, relative to {@code code}
     * @param model         the model's folder (or file), or null
     * @param instanceDir   this instance's own folder (created; the job user gets {@code wd/} when ranks drop to it)
     * @param environment   the deployment's {@code environment_variables}
     * @param requests      the deployment's {@code request_settings} (timeout and concurrency are applied here)
     * @param python        the interpreter, e.g. {@link #PYTHON}
     */
    public record Spec(
            Path code,
            String scoringScript,
            Path model,
            Path instanceDir,
            Map<String, String> environment,
            RequestSettings requests,
            String python) {
        public Spec {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(scoringScript, "scoringScript");
            Objects.requireNonNull(instanceDir, "instanceDir");
            environment = environment == null ? Map.of() : Map.copyOf(environment);
            requests = requests == null ? RequestSettings.DEFAULTS : requests;
            python = python == null ? PYTHON : python;
        }
    }

    /** The process could not be started or did not become ready; the message is one sentence. */
    public static final class StartException extends IOException {
        public StartException(String message) {
            super(message);
        }
    }

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private ScoringProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts the process and waits until it is ready (its {@code init()} returned) or {@code readyWithin} passed.
     *
     * @throws StartException with one sentence: the sandbox cannot run here, the process exited (with the last line
     *     it printed, e.g. {@code init() failed: FileNotFoundError: …}), or it was not ready in time (it is stopped)
     */
    public static ScoringProcess start(Spec spec, SandboxRuntime sandbox, Duration readyWithin)
            throws IOException, InterruptedException {
        String problem = sandbox.problem();
        if (problem != null) {
            throw new StartException("the scoring process cannot start: " + problem);
        }
        Path script = spec.code().resolve(spec.scoringScript()).normalize();
        if (!script.startsWith(spec.code().normalize()) || !Files.isRegularFile(script)) {
            throw new StartException("the scoring script " + spec.scoringScript() + " is not a file in " + spec.code());
        }
        if (spec.model() != null && !Files.exists(spec.model())) {
            throw new StartException("the model " + spec.model() + " does not exist");
        }
        Path dir = Files.createDirectories(spec.instanceDir().toAbsolutePath());
        Path serverDir = Files.createDirectories(dir.resolve("server"));
        try (InputStream in = ScoringProcess.class.getResourceAsStream(SERVER)) {
            if (in == null) {
                throw new StartException("the resource " + SERVER + " is missing from the node agent's jar");
            }
            Files.copy(in, serverDir.resolve(SERVER), StandardCopyOption.REPLACE_EXISTING);
        }
        Path wd = Files.createDirectories(dir.resolve("wd"));
        Path portFile = wd.resolve(".port");
        Files.deleteIfExists(portFile);
        sandbox.prepareTree(wd);
        boolean sandboxed = sandbox.mode() == SandboxRuntime.Mode.BWRAP;
        for (Path p : spec.model() == null ? List.of(spec.code()) : List.of(spec.code(), spec.model())) {
            Path closed = sandbox.unreachable(p);
            if (closed != null) {
                throw new StartException("the job user " + sandbox.dropTo() + " cannot reach " + p + " because "
                        + closed + " is not searchable by others");
            }
        }

        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.putAll(spec.environment());
        env.put("PYTHONUNBUFFERED", "1");
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        List<String> argv = new ArrayList<>();
        String code;
        String server;
        String portPath;
        if (sandboxed) {
            List<Sandbox.Mount> mounts = new ArrayList<>();
            mounts.add(new Sandbox.Mount(wd, Sandbox.WORK_DIR, false));
            mounts.add(new Sandbox.Mount(spec.code().toAbsolutePath(), CODE, true));
            mounts.add(new Sandbox.Mount(serverDir, SERVER_DIR, true));
            if (spec.model() != null) {
                mounts.add(
                        new Sandbox.Mount(spec.model().toAbsolutePath(), MODELS + "/" + modelName(spec.model()), true));
                env.put("AZUREML_MODEL_DIR", MODELS);
            }
            argv.addAll(sandbox.argv(null, mounts));
            code = CODE;
            server = SERVER_DIR + "/" + SERVER;
            portPath = Sandbox.WORK_DIR + "/.port";
            env.put("HOME", Sandbox.WORK_DIR);
        } else {
            if (spec.model() != null) {
                Path models = Files.createDirectories(dir.resolve("azureml-models"));
                Path link = models.resolve(modelName(spec.model()));
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, spec.model().toAbsolutePath());
                env.put("AZUREML_MODEL_DIR", models.toString());
            }
            code = spec.code().toAbsolutePath().toString();
            server = serverDir.resolve(SERVER).toString();
            portPath = portFile.toString();
            env.put("HOME", wd.toString());
        }
        argv.addAll(List.of(
                spec.python(),
                server,
                "--code",
                code,
                "--scoring-script",
                spec.scoringScript(),
                "--port-file",
                portPath,
                "--request-timeout-ms",
                Long.toString(spec.requests().requestTimeout().toMillis()),
                "--max-concurrent-requests",
                Integer.toString(spec.requests().maxConcurrentRequestsPerInstance())));
        Path log = dir.resolve("scoring.log");
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", WRAPPER, "ebbtide-scoring"));
        wrapped.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(wrapped)
                .directory(wd.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process process = pb.start();

        long deadline = System.nanoTime() + readyWithin.toNanos();
        int port = -1;
        while (true) {
            if (!process.isAlive()) {
                throw new StartException("the scoring process exited with " + process.exitValue()
                        + " before it was ready: " + lastLine(log));
            }
            if (port < 0 && Files.isRegularFile(portFile)) {
                String text = Files.readString(portFile).strip();
                if (text.matches("\\d{1,5}")) {
                    port = Integer.parseInt(text);
                }
            }
            if (port > 0 && status(port, "/ready", Duration.ofSeconds(2)) == 200) {
                return new ScoringProcess(process, port, log);
            }
            if (System.nanoTime() > deadline) {
                stop(process);
                throw new StartException("the scoring process was not ready within " + readyWithin.toMillis()
                        + " ms (" + (port < 0 ? "it never listened" : "init() had not returned") + "); last line: "
                        + lastLine(log));
            }
            Thread.sleep(50);
        }
    }

    /** The model's name under {@code AZUREML_MODEL_DIR}: its folder's (or file's) own name, as Azure ML keeps it. */
    static String modelName(Path model) {
        Path name = model.toAbsolutePath().normalize().getFileName();
        return name == null ? "model" : name.toString();
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}: the routes are {@code /}, {@code /ready} and {@code /score}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The process's stdout and stderr. */
    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** {@code POST /score} with {@code body}; the answer as the server gave it. */
    public HttpResponse<String> score(String body, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(baseUri().resolve("/score"))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The status of {@code GET path} ({@code /} liveness, {@code /ready} readiness), or -1 when it did not answer. */
    public int probe(String path, Duration timeout) {
        return status(port, path, timeout);
    }

    private static int status(int port, String path, Duration timeout) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(timeout)
                    .GET()
                    .build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** TERM, then KILL after 5 s; with bwrap's {@code --die-with-parent} the sandboxed Python goes with it. */
    @Override
    public void close() {
        stop(process);
    }

    private static void stop(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty())
                    .toList();
            return lines.isEmpty() ? "(it printed nothing)" : lines.get(lines.size() - 1);
        } catch (IOException e) {
            return "(its log " + log + " could not be read)";
        }
    }
}
