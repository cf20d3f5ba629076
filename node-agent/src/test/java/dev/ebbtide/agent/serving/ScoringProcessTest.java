package dev.ebbtide.agent.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ebbtide.agent.sandbox.JobUser;
import dev.ebbtide.agent.sandbox.SandboxRuntime;
import dev.ebbtide.common.endpoint.RequestSettings;
import dev.ebbtide.devsupport.DebianPackages;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scoring harness as a node runs it: the node's Python, in the job sandbox, serving Azure ML's own sample (model-1
 * of cli/endpoints/online, copied unchanged into examples/) and small scripts that misbehave on purpose.
 */
class ScoringProcessTest {
    static final Path ONLINE =
            Path.of("../examples/azureml-examples/cli/endpoints/online").toAbsolutePath();
    static final Duration READY = Duration.ofSeconds(120); // importing scikit-learn took 11–14 s at load 30
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() throws Exception {
        if (DebianPackages.tool("bwrap", "bubblewrap").isEmpty()) {
            fail(DebianPackages.whyMissing("bwrap", "bubblewrap"));
        }
        List<String> missing = DebianPackages.packages("python3-sklearn", "python3-joblib");
        if (!missing.isEmpty()) {
            fail("the sample's score.py needs " + missing + ": apt-get install -y " + String.join(" ", missing));
        }
    }

    @BeforeEach
    void reachable() throws IOException {
        // the job user must pass through (not list) the temp dir to reach the instance's folders, as under /var/lib
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
    }

    /**
     * A folder of the sample as a node would have it staged: copied below the temp dir (the job user cannot pass
     * through a clone under /root, mode 0700, as CI may have it).
     */
    Path staged(String relative) throws IOException {
        Path from = ONLINE.resolve(relative);
        Path to = tmp.resolve("staged").resolve(relative);
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }

    SandboxRuntime sandbox(SandboxRuntime.Mode mode) throws IOException {
        Path agentWork = Files.createDirectories(tmp.resolve("agent-work"));
        return SandboxRuntime.detect(mode, "n1", JobUser.NOBODY, agentWork, null, List.of());
    }

    @ParameterizedTest(name = "sandbox={0}")
    @EnumSource(SandboxRuntime.Mode.class)
    void theSampleModelAnswersItsSampleRequestAsJoblibDoes(SandboxRuntime.Mode mode) throws Exception {
        String request = Files.readString(ONLINE.resolve("managed/sample/sample-request.json"));
        ScoringProcess.Spec spec = new ScoringProcess.Spec(
                staged("model-1/onlinescoring"),
                "score.py",
                staged("model-1/model"),
                tmp.resolve("blue-0"),
                Map.of(),
                RequestSettings.DEFAULTS,
                ScoringProcess.PYTHON);
        try (ScoringProcess p = ScoringProcess.start(spec, sandbox(mode), READY)) {
            HttpResponse<String> answer = p.score(request, Duration.ofSeconds(30));
            assertEquals(200, answer.statusCode(), answer.body());
            JsonNode predictions = JSON.readTree(answer.body());
            assertTrue(predictions.isArray() && predictions.size() == 2, answer.body());
            assertTrue(predictions.get(0).isNumber() && predictions.get(1).isNumber(), answer.body());

            JsonNode direct = JSON.readTree(joblibDirectly(
                    ONLINE.resolve("model-1/model/sklearn_regression_model.pkl"),
                    ONLINE.resolve("managed/sample/sample-request.json")));
            assertEquals(direct.size(), predictions.size());
            for (int i = 0; i < 2; i++) {
                assertEquals(direct.get(i).asDouble(), predictions.get(i).asDouble(), 1e-9, "prediction " + i);
            }
            assertEquals(200, p.probe("/", Duration.ofSeconds(2)), "liveness");
            assertEquals(200, p.probe("/ready", Duration.ofSeconds(2)), "readiness");
        }
    }

    /** The same prediction without Ebbtide: Debian's Python, joblib and the pickle, on the same request file. */
    static String joblibDirectly(Path pickle, Path request) throws IOException, InterruptedException {
        Process py = new ProcessBuilder(
                        ScoringProcess.PYTHON,
                        "-W",
                        "ignore",
                        "-c",
                        "import sys, json, joblib, numpy\n"
                                + "m = joblib.load(sys.argv[1])\n"
                                + "data = json.load(open(sys.argv[2]))['data']\n"
                                + "print(json.dumps(m.predict(numpy.array(data)).tolist()))",
                        pickle.toString(),
                        request.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(py.waitFor(60, TimeUnit.SECONDS) && py.exitValue() == 0, "python3 -c with joblib failed: " + out);
        return out.strip();
    }

    Path script(String name, String source) throws IOException {
        Path code = Files.createDirectories(tmp.resolve(name));
        Files.writeString(code.resolve("score.py"), source);
        return code;
    }

    static final String MISBEHAVING = """
            import json, os, time

            def init():
                global seen
                seen = 0

            def run(raw_data):
                global seen
                seen += 1
                if raw_data == "boom":
                    raise ValueError("bad input\\nsecond line")
                if raw_data == "slow":
                    time.sleep(3)
                if raw_data == "text":
                    return "plain text"
                if raw_data == "numpy-like":
                    return object()
                if raw_data.startswith("peek:"):
                    return {"exists": os.path.exists(raw_data[5:]), "uid": os.getuid()}
                return {"echo": json.loads(raw_data), "seen": seen, "model_dir": os.environ.get("AZUREML_MODEL_DIR")}
            """;

    @Test
    void errorsInRunAreA500WithTheExceptionsLineAndTheProcessKeepsServing() throws Exception {
        ScoringProcess.Spec spec = new ScoringProcess.Spec(
                script("misbehaving", MISBEHAVING),
                "score.py",
                null,
                tmp.resolve("i-0"),
                Map.of("GREETING", "hi"),
                new RequestSettings(Duration.ofMillis(500), 2, Duration.ofMillis(500)),
                ScoringProcess.PYTHON);
        try (ScoringProcess p = ScoringProcess.start(spec, sandbox(SandboxRuntime.Mode.BWRAP), READY)) {
            Duration t = Duration.ofSeconds(10);
            HttpResponse<String> boom = p.score("boom", t);
            assertEquals(500, boom.statusCode());
            assertEquals("ValueError: bad input", boom.body(), "the exception's first line only");

            HttpResponse<String> notJson = p.score("numpy-like", t);
            assertEquals(500, notJson.statusCode());
            assertTrue(
                    notJson.body().startsWith("TypeError: Object of type object is not JSON serializable"),
                    notJson.body());

            HttpResponse<String> slow = p.score("slow", t);
            assertEquals(408, slow.statusCode());
            assertEquals("run() took longer than request_timeout_ms (500 ms)", slow.body());

            HttpResponse<String> text = p.score("text", t);
            assertEquals(200, text.statusCode());
            assertEquals("plain text", text.body(), "a string is answered as is, not JSON-encoded");

            Path secret = tmp.resolve("agent-work/secret.txt");
            Files.writeString(secret, "the agent's credentials");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
            JsonNode peek = JSON.readTree(p.score("peek:" + secret, t).body());
            assertFalse(peek.get("exists").asBoolean(), "the agent's work dir is hidden from the scoring script");
            if ("root".equals(System.getProperty("user.name"))) {
                assertEquals(JobUser.NOBODY.uid(), peek.get("uid").asInt(), "dropped to the job user");
            }

            HttpResponse<String> ok = p.score("{\"a\": [1, 2]}", t);
            assertEquals(200, ok.statusCode(), ok.body());
            JsonNode body = JSON.readTree(ok.body());
            assertEquals(JSON.readTree("{\"a\": [1, 2]}"), body.get("echo"));
            assertEquals(6, body.get("seen").asInt(), "one process, init() once, every request reached run()");
            assertTrue(body.get("model_dir").isNull(), "no model, no AZUREML_MODEL_DIR");
            assertTrue(p.isAlive());
            p.close();
            assertFalse(p.isAlive());
            assertEquals(-1, p.probe("/", Duration.ofSeconds(2)), "nothing listens once stopped: the sandbox went too");
        }
    }

    @Test
    void readinessAnswersOnlyAfterInitReturned() throws Exception {
        Path code = script("slow-init", """
                import os, time

                def init():
                    here = os.path.dirname(os.path.abspath(__file__))
                    for _ in range(600):
                        if os.path.exists(os.path.join(here, "go")):
                            return
                        time.sleep(0.05)
                    raise TimeoutError("no go file")

                def run(raw_data):
                    return [1]
                """);
        Path instance = tmp.resolve("i-1");
        ScoringProcess.Spec spec = new ScoringProcess.Spec(
                code, "score.py", null, instance, Map.of(), RequestSettings.DEFAULTS, ScoringProcess.PYTHON);
        SandboxRuntime sandbox = sandbox(SandboxRuntime.Mode.BWRAP);
        // a thread of its own that ends when start() returns
        CompletableFuture<ScoringProcess> started = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return ScoringProcess.start(spec, sandbox, READY);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                r -> new Thread(r, "starter").start());
        Path portFile = instance.resolve("wd/.port");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.isRegularFile(portFile) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        int port = Integer.parseInt(Files.readString(portFile).strip());
        var client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();

        var ready = client.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/ready"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, ready.statusCode(), "init() has not returned: not ready");
        var live = client.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, live.statusCode(), "alive while init() runs");
        assertFalse(started.isDone(), "start() waits for readiness");

        Files.writeString(code.resolve("go"), "");
        try (ScoringProcess p = started.get(120, TimeUnit.SECONDS)) {
            // started on a thread that has ended since: the process must outlive it
            Thread.sleep(200);
            assertTrue(p.isAlive(), "the server outlives the thread that started it");
            assertEquals(port, p.port());
            assertEquals(200, p.probe("/ready", Duration.ofSeconds(2)));
            assertEquals("[1]", p.score("x", Duration.ofSeconds(10)).body());
        }
    }

    @Test
    void anInitThatFailsIsOneSentenceNamingTheError() throws Exception {
        Path code = script("broken", """
                import os, joblib

                def init():
                    joblib.load(os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model/missing.pkl"))

                def run(raw_data):
                    return raw_data
                """);
        ScoringProcess.Spec spec = new ScoringProcess.Spec(
                code,
                "score.py",
                staged("model-1/model"),
                tmp.resolve("i-2"),
                Map.of(),
                RequestSettings.DEFAULTS,
                ScoringProcess.PYTHON);
        var e = assertThrows(
                ScoringProcess.StartException.class,
                () -> ScoringProcess.start(spec, sandbox(SandboxRuntime.Mode.BWRAP), READY));
        assertEquals(
                "the scoring process exited with 3 before it was ready: init() failed: FileNotFoundError: [Errno 2] "
                        + "No such file or directory: '/mnt/azureml/models/model/missing.pkl'",
                e.getMessage());
    }
}
