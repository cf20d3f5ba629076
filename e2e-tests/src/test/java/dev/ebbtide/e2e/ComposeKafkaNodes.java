package dev.ebbtide.e2e;

import static dev.ebbtide.e2e.RepoConfig.environment;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;

/**
 * docker-compose.yml's Kafka nodes run for real in this JVM: each node's {@code KAFKA_*} environment becomes its
 * server.properties as the apache/kafka image makes it ({@code KAFKA_} dropped, lower case, {@code ___} → {@code -},
 * {@code __} → {@code _}, {@code _} → {@code .}), storage is formatted with the file's {@code CLUSTER_ID}, and only the
 * addresses change: compose host names become 127.0.0.1 and each (node, port) a free port.
 */
final class ComposeKafkaNodes implements AutoCloseable {
    private static final Pattern ADDRESS =
            Pattern.compile("(?<scheme>[A-Za-z_]+://)?(?<host>[A-Za-z0-9.\\-]*):(?<port>\\d+)");
    /** Small-machine settings that change no behaviour under test. */
    private static final Map<String, String> SMALL = Map.of(
            "num.network.threads",
            "2",
            "num.io.threads",
            "2",
            "log.cleaner.dedupe.buffer.size",
            String.valueOf(2 * 1024 * 1024),
            "offsets.topic.num.partitions",
            "3");

    private final Map<String, KafkaRaftServer> servers = new LinkedHashMap<>();
    private final Map<String, Properties> configs = new LinkedHashMap<>();
    private final Map<String, String> bootstrap = new LinkedHashMap<>();

    private ComposeKafkaNodes() {}

    /** Starts every node of {@code nodes} (compose service name → its environment) and waits until all are up. */
    static ComposeKafkaNodes start(Map<String, Map<String, String>> nodes, Path dir) throws Exception {
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Kafka asked to exit(" + code + "): " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("Kafka asked to halt(" + code + "): " + message);
        });
        Map<String, Integer> ports = new HashMap<>();
        ComposeKafkaNodes cluster = new ComposeKafkaNodes();
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (var node : nodes.entrySet()) {
            Properties props = properties(node.getKey(), node.getValue(), nodes.keySet(), ports);
            Path home = dir.resolve(node.getKey());
            props.put("log.dirs", home.resolve("log").toString());
            Files.createDirectories(home);
            Path cfg = home.resolve("server.properties");
            try (Writer w = Files.newBufferedWriter(cfg)) {
                props.store(w, "from docker-compose.yml services." + node.getKey());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            kafka.tools.StorageTool$.MODULE$.execute(
                    new String[] {"format", "-t", node.getValue().get("CLUSTER_ID"), "-c", cfg.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            cluster.servers.put(node.getKey(), server);
            cluster.configs.put(node.getKey(), props);
            cluster.bootstrap.put(node.getKey(), "127.0.0.1:" + ports.get(node.getKey() + ":9092"));
            // a node's start waits for the controller quorum, which needs the others: start them side by side
            started.add(CompletableFuture.runAsync(server::startup));
        }
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        return cluster;
    }

    /** The node's properties: its environment as the image translates it, with local addresses. */
    static Properties properties(
            String node, Map<String, String> env, Iterable<String> nodeNames, Map<String, Integer> ports)
            throws IOException {
        Properties props = new Properties();
        for (var e : env.entrySet()) {
            if (e.getKey().startsWith("KAFKA_")) {
                String name = e.getKey()
                        .substring("KAFKA_".length())
                        .toLowerCase()
                        .replace("___", "-")
                        .replace("__", "@")
                        .replace('_', '.')
                        .replace('@', '_');
                props.put(name, localize(node, e.getValue(), nodeNames, ports));
            }
        }
        props.putAll(SMALL);
        return props;
    }

    /** Replaces every {@code host:port} of a value: compose names and empty hosts → 127.0.0.1 and a free port. */
    private static String localize(String node, String value, Iterable<String> nodeNames, Map<String, Integer> ports)
            throws IOException {
        Matcher m = ADDRESS.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String host = m.group("host");
            String owner = node;
            for (String n : nodeNames) {
                if (n.equals(host)) {
                    owner = n;
                }
            }
            String key = owner + ":" + m.group("port");
            Integer port = ports.get(key);
            while (port == null || (!ports.containsKey(key) && ports.containsValue(port))) {
                port = freePort(); // a port given out once is not given again
            }
            ports.put(key, port);
            String scheme = m.group("scheme") == null ? "" : m.group("scheme");
            m.appendReplacement(out, Matcher.quoteReplacement(scheme + "127.0.0.1:" + port));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every node's PLAINTEXT listener (compose's :9092), for clients. */
    String bootstrapServers() {
        return String.join(",", bootstrap.values());
    }

    /** Stops {@code node} cleanly (controlled shutdown: it leaves every ISR first), within {@code seconds}. */
    void stop(String node, int seconds) throws Exception {
        KafkaRaftServer server = servers.remove(node);
        CompletableFuture.runAsync(() -> {
                    server.shutdown();
                    server.awaitShutdown();
                })
                .get(seconds, TimeUnit.SECONDS);
    }

    /** Starts a stopped node again on its data (as a restarted container keeps its file system). */
    void restart(String node, int seconds) throws Exception {
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(configs.get(node), false), Time.SYSTEM);
        servers.put(node, server);
        CompletableFuture.runAsync(server::startup).get(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        // without a controller quorum a node's shutdown can wait long: give up after a while (the JVM ends anyway)
        for (KafkaRaftServer server : servers.values()) {
            CompletableFuture<Void> f = CompletableFuture.runAsync(() -> {
                server.shutdown();
                server.awaitShutdown();
            });
            try {
                f.get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                // left to the JVM's exit
            }
        }
        servers.clear();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** {@code host} of a listener URL such as {@code PLAINTEXT://kafka-1:9092}. */
    static String host(String listener) {
        return URI.create(listener.trim()).getHost();
    }

    static Map<String, String> env(ComposeFile compose, String node) {
        return environment(compose.service(node));
    }
}
