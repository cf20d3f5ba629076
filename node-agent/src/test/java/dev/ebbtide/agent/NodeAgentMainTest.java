package dev.ebbtide.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's command line as an operator meets it: bad settings, a second agent, IMDS. */
class NodeAgentMainTest {
    @TempDir
    Path tmp;

    @Test
    void aBadSettingIsOneSentenceAndExitCode2() throws Exception {
        Process p = agent("--cluster=c", "--node=n", "--port=x", "--work-dir=" + tmp);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String err = output(p);
        assertEquals(2, p.exitValue(), err);
        assertEquals("ebbtide node agent: port must be a whole number, got 'x'\n", err);
    }

    @Test
    void aSecondAgentOnTheSameWorkDirIsRefused() throws Exception {
        // no broker: the first agent waits for Kafka, holding its work directory
        Process first = agent("--cluster=c", "--node=n", "--bootstrap.servers=127.0.0.1:1", "--work-dir=" + tmp);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(tmp.resolve("agent.pid")));
            assertEquals(
                    first.pid(),
                    Long.parseLong(Files.readString(tmp.resolve("agent.pid")).trim()));
            Process second = agent("--cluster=c", "--node=n", "--bootstrap.servers=127.0.0.1:1", "--work-dir=" + tmp);
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
            String err = output(second);
            assertEquals(2, second.exitValue(), err);
            assertTrue(err.contains("another agent already runs in " + tmp), err);
        } finally {
            first.destroyForcibly().waitFor();
        }
    }

    @Test
    void imdsNamesTheNodeAndTheCluster() throws Exception {
        List<String> headers = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metadata/instance/compute", ex -> {
            headers.add(ex.getRequestHeaders().getFirst("Metadata") + " " + ex.getRequestURI());
            byte[] body =
                    "{\"name\":\"ebbtide-gpu_7\",\"vmScaleSetName\":\"ebbtide-gpu\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            AgentConfig c = Imds.resolve(AgentConfig.parse(
                    "--cluster=imds",
                    "--node=imds",
                    "--imds-endpoint=http://127.0.0.1:" + server.getAddress().getPort()));
            assertEquals("ebbtide-gpu_7", c.node());
            assertEquals("gpu", c.cluster());
            assertEquals(List.of("true /metadata/instance/compute?api-version=2021-02-01"), headers);
        } finally {
            server.stop(0);
        }
    }

    /**
     * What the agent printed: its output without the lines the JVM itself adds when {@code JAVA_TOOL_OPTIONS},
     * {@code _JAVA_OPTIONS} or {@code JDK_JAVA_OPTIONS} is set ("Picked up JAVA_TOOL_OPTIONS: -Xss1m"). The child
     * keeps those settings (whoever set them had a reason); only their notice is not the agent's to print.
     */
    static String output(Process p) throws Exception {
        String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return JVM_NOTICE.matcher(all).replaceAll("");
    }

    private static final Pattern JVM_NOTICE =
            Pattern.compile("(?m)^(NOTE: )?Picked up (JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS): .*\\R");

    @Test
    void theJvmsNoticeOfOptionsFromTheEnvironmentIsNotTheAgentsOutput() {
        assertEquals(
                "ebbtide node agent: port must be a whole number, got 'x'\n",
                JVM_NOTICE
                        .matcher("Picked up JAVA_TOOL_OPTIONS: -Xss1m\n"
                                + "NOTE: Picked up JDK_JAVA_OPTIONS: -Dx=y\r\n"
                                + "Picked up _JAVA_OPTIONS: -Xmx1g\n"
                                + "ebbtide node agent: port must be a whole number, got 'x'\n")
                        .replaceAll(""));
    }

    private static Process agent(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.ebbtide.agent.NodeAgentMain"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }
}
