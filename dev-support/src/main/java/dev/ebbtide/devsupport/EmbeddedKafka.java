package dev.ebbtide.devsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * and by the local stack; no Docker. Starts in about 2 s.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final int port;
    private final KafkaRaftServer server;

    private EmbeddedKafka(int port, KafkaRaftServer server) {
        this.port = port;
        this.server = server;
    }

    /** Starts a broker on {@code port} (0 = any free port) keeping its log in {@code dataDir} (null = temporary). */
    public static EmbeddedKafka start(int port, Path dataDir) throws IOException {
        return start(port, dataDir, false);
    }

    /**
     * As {@link #start(int, Path)}; {@code listenAll} binds the broker on every interface and advertises this
     * machine's host name (unauthenticated: for trusted networks only). Otherwise only 127.0.0.1.
     */
    public static EmbeddedKafka start(int port, Path dataDir, boolean listenAll) throws IOException {
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Kafka asked to exit(" + code + "): " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("Kafka asked to halt(" + code + "): " + message);
        });
        int brokerPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("ebbtide-kafka-");
        Files.createDirectories(dir);
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://" + (listenAll ? "0.0.0.0" : "127.0.0.1") + ":" + brokerPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort);
        String advertised = listenAll ? java.net.InetAddress.getLocalHost().getHostName() : "127.0.0.1";
        props.put("advertised.listeners", "PLAINTEXT://" + advertised + ":" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
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
        try (Writer w = Files.newBufferedWriter(cfg)) {
            props.store(w, "ebbtide embedded kafka");
        }
        if (!Files.exists(dir.resolve("log").resolve("meta.properties"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
            kafka.tools.StorageTool$.MODULE$.execute(new String[] {"format", "-t", clusterId, "-c", cfg.toString(),
                    "--ignore-formatted"}, new PrintStream(out, true, StandardCharsets.UTF_8));
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        return new EmbeddedKafka(brokerPort, server);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Creates topics that do not exist yet (one partition each; {@code compacted} get cleanup.policy=compact). */
    public void createTopics(List<String> topics, Set<String> compacted) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    NewTopic t = new NewTopic(topic, 1, (short) 1);
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

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
