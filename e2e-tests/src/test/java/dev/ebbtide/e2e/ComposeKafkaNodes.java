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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;

/**
 * docker-compose.yml's Kafka nodes run for real in this JVM: each node's {@code KAFKA_*} environment becomes its
 * server.properties as the apache/kafka image makes it ({@code KAFKA_} dropped, lower case, {@code ___} → {@code -},
 * {@code __} → {@code _}, {@code _} → {@code .}; compose's {@code $$} → {@code $}), storage is formatted with the
 * file's {@code CLUSTER_ID}, and only the addresses and the secrets' folder change: compose host names become 127.0.0.1,
 * each (node, port) a free port, and {@code /run/secrets/} a folder of {@link ComposeSecretFiles}.
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

    /**
     * Starts every node of {@code nodes} (compose service name → its environment) and waits until all are up; the
     * nodes read {@code /run/secrets/} from {@code secrets} (see {@link ComposeSecretFiles}).
     */
    static ComposeKafkaNodes start(Map<String, Map<String, String>> nodes, Path dir, Path secrets) throws Exception {
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
            Properties props = properties(node.getKey(), node.getValue(), nodes.keySet(), ports, secrets);
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

    /**
     * The node's properties: its environment as compose passes it ({@code $$} → {@code $}) and the image translates
     * it, with local addresses and {@code /run/secrets/} replaced by {@code secrets}.
     */
    static Properties properties(
            String node, Map<String, String> env, Iterable<String> nodeNames, Map<String, Integer> ports, Path secrets)
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
                String value = e.getValue()
                        .replace("$$", "$")
                        .replace(ComposeSecretFiles.MOUNT, secrets.toAbsolutePath() + "/");
                props.put(name, localize(node, value, nodeNames, ports));
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

    /** Every node's client listener (compose's :9092), for clients. */
    String bootstrapServers() {
        return String.join(",", bootstrap.values());
    }

    /** Client settings: {@code file}'s (a secrets file such as kafka-admin.properties) with these nodes' addresses. */
    Map<String, Object> clientConfig(Path file) throws IOException {
        Map<String, Object> config = new HashMap<>(ComposeSecretFiles.clientConfig(file));
        config.keySet().removeIf(k -> k.endsWith(".jaas"));
        config.put("bootstrap.servers", bootstrapServers());
        return config;
    }

    /**
     * Does what kafka-init's recorded calls ask, through the Admin API as the admin principal: stores the SCRAM
     * credentials, creates the topics, grants the ACLs, and waits until the credentials and ACLs are in force.
     */
    void applyInit(KafkaInitScript.Result init, Map<String, Object> admin) throws Exception {
        try (Admin a = Admin.create(admin)) {
            List<UserScramCredentialAlteration> scram = new ArrayList<>();
            init.scramPasswords()
                    .forEach((user, password) -> scram.add(new UserScramCredentialUpsertion(
                            user,
                            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096),
                            password.getBytes(StandardCharsets.UTF_8))));
            a.alterUserScramCredentials(scram).all().get(60, TimeUnit.SECONDS);
            List<NewTopic> topics = new ArrayList<>();
            init.topics()
                    .values()
                    .forEach(t ->
                            topics.add(new NewTopic(t.topic(), t.partitions(), Short.parseShort(t.replicationFactor()))
                                    .configs(t.configs())));
            a.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            a.createAcls(init.acls()).all().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (a.describeAcls(AclBindingFilter.ANY)
                                    .values()
                                    .get(30, TimeUnit.SECONDS)
                                    .size()
                            < init.acls().size()
                    || !a.describeUserScramCredentials()
                            .users()
                            .get(30, TimeUnit.SECONDS)
                            .containsAll(init.scramPasswords().keySet())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the brokers did not apply kafka-init's ACLs and users in 30 s");
                }
                Thread.sleep(50);
            }
        }
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
