package dev.ebbtide.devsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;

/**
 * A real Apache Kafka broker (KRaft, one combined broker + controller node) running inside this JVM. Used by tests
 * and by the local stack; no Docker. Starts in about 2 s. Plain (PLAINTEXT, no authorization) or secured: clients
 * authenticate with SASL/SCRAM-SHA-256 and may do only what {@link KafkaAccess} grants.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final String bootstrap;
    private final int port;
    private volatile KafkaRaftServer server;
    private final KafkaCredentials credentials;
    private final Tls tls;
    private Properties props;

    private EmbeddedKafka(String bootstrap, int port, KafkaRaftServer server, KafkaCredentials credentials, Tls tls) {
        this.bootstrap = bootstrap;
        this.port = port;
        this.server = server;
        this.credentials = credentials;
        this.tls = tls;
    }

    /** Starts a plain broker on {@code port} (0 = any free port) keeping its log in {@code dataDir} (null = temporary). */
    public static EmbeddedKafka start(int port, Path dataDir) throws IOException {
        return start(port, dataDir, null, false);
    }

    /**
     * Starts a broker on {@code port} (0 = any free port) keeping its log in {@code dataDir} (null = temporary).
     *
     * @param credentials null = PLAINTEXT without authorization; else SASL/SCRAM with {@link KafkaAccess}'s ACLs
     * @param listenAll   false = the client listener binds 127.0.0.1; true = every interface (the controller listener
     *                    always stays on 127.0.0.1)
     */
    public static EmbeddedKafka start(int port, Path dataDir, KafkaCredentials credentials, boolean listenAll)
            throws IOException {
        return start(port, dataDir, credentials, listenAll, null);
    }

    /**
     * TLS for the client listener (SASL_SSL instead of SASL_PLAINTEXT).
     *
     * @param keystore      PKCS12 key store with the broker's key and certificate
     * @param caCertificate PEM file clients trust (the certificate itself when self-signed)
     */
    public record Tls(Path keystore, String password, Path caCertificate) {
        @Override
        public String toString() {
            return "Tls[" + keystore + ", " + caCertificate + "]";
        }
    }

    /** As {@link #start(int, Path, KafkaCredentials, boolean)}; {@code tls} non-null = SASL_SSL (needs credentials). */
    public static EmbeddedKafka start(int port, Path dataDir, KafkaCredentials credentials, boolean listenAll, Tls tls)
            throws IOException {
        if (tls != null && credentials == null) {
            throw new IllegalArgumentException("TLS needs credentials: the embedded broker offers SASL_SSL only");
        }
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Kafka asked to exit(" + code + "): " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("Kafka asked to halt(" + code + "): " + message);
        });
        int[] listeners = listenerPorts(port);
        int brokerPort = listeners[0];
        int controllerPort = listeners[1];
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("ebbtide-kafka-");
        Files.createDirectories(dir);
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        String advertisedHost = listenAll ? java.net.InetAddress.getLocalHost().getCanonicalHostName() : "127.0.0.1";
        String bindHost = listenAll ? "0.0.0.0" : "127.0.0.1";
        props.put("controller.listener.names", "CONTROLLER");
        if (credentials == null) {
            props.put(
                    "listeners",
                    "PLAINTEXT://" + bindHost + ":" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://" + advertisedHost + ":" + brokerPort);
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("inter.broker.listener.name", "PLAINTEXT");
        } else {
            props.putAll(KafkaBrokerSecurity.brokerSettings(
                    credentials, bindHost, advertisedHost, brokerPort, controllerPort, tls));
        }
        props.put("log.dirs", dir.resolve("log").toString());
        props.put("num.partitions", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("min.insync.replicas", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "2");
        props.put("auto.create.topics.enable", "true");
        Path cfg = dir.resolve("server.properties");
        Files.deleteIfExists(cfg);
        Files.createFile(cfg, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(cfg)) { // holds the broker's password when secured
            props.store(w, "ebbtide embedded kafka");
        }
        if (!Files.exists(dir.resolve("log").resolve("meta.properties"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
            List<String> format =
                    new ArrayList<>(List.of("format", "-t", clusterId, "-c", cfg.toString(), "--ignore-formatted"));
            if (credentials != null) {
                format.addAll(KafkaBrokerSecurity.scramFormatArguments(credentials));
            }
            kafka.tools.StorageTool$.MODULE$.execute(
                    format.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8));
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        EmbeddedKafka kafka =
                new EmbeddedKafka(advertisedHost + ":" + brokerPort, brokerPort, server, credentials, tls);
        kafka.props = props;
        if (credentials != null) {
            try {
                KafkaBrokerSecurity.createAcls(kafka.clientConfig(KafkaAccess.ADMIN), credentials);
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
        }
        return kafka;
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    /** True when clients must authenticate (SASL/SCRAM) and ACLs apply. */
    public boolean secured() {
        return credentials != null;
    }

    /**
     * Client settings (bootstrap.servers and, on a secured broker, the SASL settings of {@code principal}) for
     * {@code KafkaProducer}/{@code KafkaConsumer}/{@code Admin}. Holds a password: never log it.
     */
    public Map<String, Object> clientConfig(String principal) {
        Map<String, Object> config = new java.util.HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (credentials != null) {
            config.putAll(credentials.clientConfig(principal));
        }
        if (tls != null) {
            config.put("security.protocol", "SASL_SSL");
            config.put("ssl.truststore.type", "PEM");
            config.put("ssl.truststore.location", tls.caCertificate().toString());
        }
        return config;
    }

    public int port() {
        return port;
    }

    /** Creates topics that do not exist yet (one partition each; {@code compacted} get cleanup.policy=compact). */
    public void createTopics(List<String> topics, Set<String> compacted) {
        createTopics(topics, compacted, 1);
    }

    /**
     * Creates the missing topics; each cluster-keyed one ({@code Topics.CLUSTER_KEYED}) with {@code partitions}
     * partitions, the others with one.
     */
    public void createTopics(List<String> topics, Set<String> compacted, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        try (Admin admin = Admin.create(clientConfig(KafkaAccess.ADMIN))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    NewTopic t = new NewTopic(
                            topic, dev.ebbtide.common.events.Topics.partitions(topic, partitions), (short) 1);
                    if (compacted.contains(topic)) {
                        t.configs(Map.of("cleanup.policy", "compact"));
                    }
                    missing.add(t);
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topics " + topics, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stops the broker (for outage tests): clients get "connection refused" until {@link #startAgain}. Its log,
     * topics, offsets, credentials and ACLs stay in the log directory.
     */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Starts a stopped broker again on the same ports and log directory (no reformat). */
    public synchronized void startAgain() {
        if (server == null) {
            KafkaRaftServer again = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            again.startup();
            server = again;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * The broker's and the controller's ports: {@code brokerPort} (0 = a free one) and a free one, never the same
     * (two free ports asked for one after the other can be the same port: seen as
     * {@code PLAINTEXT://0.0.0.0:41529,CONTROLLER://127.0.0.1:41529}).
     */
    static int[] listenerPorts(int brokerPort) throws IOException {
        if (brokerPort == 0) {
            return freePorts(2, Set.of());
        }
        return new int[] {brokerPort, freePorts(1, Set.of(brokerPort))[0]};
    }

    /**
     * {@code count} distinct free ports, none of them in {@code excluded}. Every socket stays open until all the
     * numbers are known, so the system cannot hand out one port twice.
     */
    static int[] freePorts(int count, Set<Integer> excluded) throws IOException {
        List<ServerSocket> open = new ArrayList<>();
        try {
            int[] ports = new int[count];
            int found = 0;
            while (found < count) {
                ServerSocket s = new ServerSocket(0);
                open.add(s); // held even when excluded: the next draw cannot return it again
                if (!excluded.contains(s.getLocalPort())) {
                    ports[found++] = s.getLocalPort();
                }
            }
            return ports;
        } finally {
            for (ServerSocket s : open) {
                s.close();
            }
        }
    }

    /** Ports this JVM has handed out: never handed out twice. */
    private static final Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port free now for a server that binds it a little later (a service process, PostgreSQL). Drawn at random
     * below the kernel's ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}), where no outgoing
     * connection takes a local port in the meantime (seen: a service failing with "Port … seems to be in use" when
     * its port came from the ephemeral range), and never one this JVM handed out before.
     */
    static int freePort() throws IOException {
        int below = ephemeralLow();
        int low = Math.min(20000, below / 2);
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = low + random.nextInt(below - low);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new java.net.InetSocketAddress("0.0.0.0", port));
            } catch (IOException taken) {
                continue;
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IOException("no free port below " + below + " after 200 tries");
    }

    private static int ephemeralLow() {
        try {
            String[] range = java.nio.file.Files.readAllLines(
                            java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .get(0)
                    .trim()
                    .split("\\s+");
            int low = Integer.parseInt(range[0]);
            return low > 2048 ? low : 32768;
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
