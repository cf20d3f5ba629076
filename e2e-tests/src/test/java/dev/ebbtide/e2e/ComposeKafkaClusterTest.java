package dev.ebbtide.e2e;

import static dev.ebbtide.e2e.ComposeConsistencyTest.report;
import static dev.ebbtide.e2e.ComposeFile.PATH;
import static dev.ebbtide.e2e.RepoConfig.SERVICES;
import static dev.ebbtide.e2e.RepoConfig.dependsOn;
import static dev.ebbtide.e2e.RepoConfig.environment;
import static dev.ebbtide.e2e.RepoConfig.properties;
import static dev.ebbtide.e2e.RepoConfig.propertiesPath;

import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.ComposeSecrets;
import dev.ebbtide.devsupport.KafkaAccess;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml's Kafka: three KRaft nodes forming one controller quorum, every topic (Kafka's own included)
 * with three replicas and min.insync.replicas 2, every instance of every service bootstrapping from all brokers, and
 * the topics kafka-init creates ({@link KafkaInitScript} runs its script) equal to {@link Topics#ALL}; the brokers
 * demand SASL, deny what no ACL allows, and kafka-init grants exactly {@link KafkaAccess#aclBindings()} and stores
 * every principal's SCRAM credential.
 */
class ComposeKafkaClusterTest {
    static final int NODES = 3;
    static final String REPLICATION_FACTOR = "3";
    static final String MIN_INSYNC_REPLICAS = "2";
    /** Broker settings that make every topic, Kafka's internal ones too, survive the loss of one broker. */
    static final Map<String, String> REPLICATION = Map.of(
            "KAFKA_DEFAULT_REPLICATION_FACTOR", REPLICATION_FACTOR,
            "KAFKA_MIN_INSYNC_REPLICAS", MIN_INSYNC_REPLICAS,
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", REPLICATION_FACTOR,
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", REPLICATION_FACTOR,
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", MIN_INSYNC_REPLICAS,
            "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", REPLICATION_FACTOR,
            "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", MIN_INSYNC_REPLICAS);

    private static final Pattern VOTER = Pattern.compile("(\\d+)@([^:]+):(\\d+)");
    private static final Pattern TOPIC_KEY =
            Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.(topic|topics)");
    private static final Pattern KAFKA_CHANNEL =
            Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.connector");

    static ComposeFile compose;

    @BeforeAll
    static void read() {
        compose = ComposeFile.read();
    }

    @Test
    void threeKafkaNodesFormOneControllerQuorum() {
        List<String> problems = new ArrayList<>();
        List<String> brokers = compose.brokers();
        if (brokers.size() < NODES) {
            report(List.of(PATH + ": " + brokers.size() + " Kafka broker(s) " + brokers + ": run " + NODES
                    + " (kafka-1..3, KAFKA_PROCESS_ROLES: broker,controller) so that one can be lost"));
            return;
        }
        Map<String, String> ids = new HashMap<>();
        Set<String> clusterIds = new TreeSet<>();
        Set<String> quorums = new TreeSet<>();
        Set<String> controllers = new TreeSet<>();
        for (String b : brokers) {
            Map<String, String> env = environment(compose.service(b));
            String id = env.get("KAFKA_NODE_ID");
            String other = ids.put(id, b);
            if (id == null || other != null) {
                problems.add(PATH + ": services." + b + ".environment.KAFKA_NODE_ID is " + id
                        + (other != null ? ", as on " + other : "") + ": give each node its own id (1, 2, 3)");
            }
            clusterIds.add(env.getOrDefault("CLUSTER_ID", ""));
            quorums.add(env.getOrDefault("KAFKA_CONTROLLER_QUORUM_VOTERS", ""));
            if (env.getOrDefault("KAFKA_PROCESS_ROLES", "").contains("controller")) {
                controllers.add(id + "@" + b + ":"
                        + listenerPort(env.get("KAFKA_LISTENERS"), "CONTROLLER").orElse(-1));
            }
        }
        if (clusterIds.size() != 1 || clusterIds.contains("")) {
            problems.add(PATH + ": the Kafka nodes' CLUSTER_ID values " + clusterIds + " differ: use one for all");
        }
        if (quorums.size() != 1) {
            problems.add(PATH + ": the Kafka nodes have different KAFKA_CONTROLLER_QUORUM_VOTERS " + quorums
                    + ": give all the same list");
        }
        Set<String> voters = new TreeSet<>();
        for (String v : quorums.iterator().next().split(",")) {
            Matcher m = VOTER.matcher(v.trim());
            if (!m.matches()) {
                problems.add(PATH + ": KAFKA_CONTROLLER_QUORUM_VOTERS entry '" + v + "' is not id@host:port");
            } else {
                voters.add(m.group(1) + "@" + m.group(2) + ":" + m.group(3));
            }
        }
        if (controllers.size() < NODES || !voters.equals(controllers)) {
            problems.add(PATH + ": KAFKA_CONTROLLER_QUORUM_VOTERS names " + voters + " but the controller nodes are "
                    + controllers + " (node id @ compose service : CONTROLLER listener port): list exactly these, "
                    + NODES + " of them");
        }
        report(problems);
    }

    @Test
    void everyTopicKafkasOwnIncludedHasThreeReplicasAndNeedsTwo() {
        List<String> problems = new ArrayList<>();
        for (String b : compose.brokers()) {
            Map<String, String> env = environment(compose.service(b));
            REPLICATION.forEach((key, value) -> {
                if (!value.equals(env.get(key))) {
                    problems.add(
                            PATH + ": services." + b + ".environment." + key + " is " + env.get(key) + ": set it to \""
                                    + value + "\" (" + NODES + " copies of every record, writes acknowledged by "
                                    + MIN_INSYNC_REPLICAS + ")");
                }
            });
            if (!"false".equals(env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE"))) {
                problems.add(
                        PATH + ": services." + b + ".environment.KAFKA_AUTO_CREATE_TOPICS_ENABLE must be \"false\" "
                                + "(a mistyped topic would be created with the broker's defaults)");
            }
        }
        report(problems);
    }

    @Test
    void brokersListenOnTheComposeNetworkOnlyAndDemandSasl() {
        List<String> problems = new ArrayList<>();
        for (String b : compose.brokers()) {
            Map<String, String> env = environment(compose.service(b));
            Map<String, String> protocols = new HashMap<>();
            for (String entry :
                    env.getOrDefault("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "").split(",")) {
                String[] kv = entry.trim().split(":", 2);
                protocols.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
            protocols.forEach((listener, protocol) -> {
                if (!protocol.startsWith("SASL_")) {
                    problems.add(PATH + ": services." + b + " listener " + listener + " is " + protocol
                            + ": make it SASL_PLAINTEXT (or SASL_SSL), as ./ebbtide up does");
                }
            });
            if (!RepoConfig.ports(compose.service(b)).isEmpty()) {
                problems.add(PATH + ": services." + b + ".ports publishes " + RepoConfig.ports(compose.service(b))
                        + ": remove it (Kafka is for the compose network only; see docs/compose.md for tools)");
            }
            for (String l : env.getOrDefault("KAFKA_ADVERTISED_LISTENERS", "").split(",")) {
                URI u = URI.create(l.trim());
                String name = u.getScheme().toUpperCase();
                if (!protocols.containsKey(name)) {
                    problems.add(PATH + ": services." + b + " advertises " + l + " but its listener " + name
                            + " has no protocol in KAFKA_LISTENER_SECURITY_PROTOCOL_MAP");
                }
                if (!u.getHost().equals(b)) {
                    problems.add(PATH + ": services." + b + " advertises " + l + ": advertise its compose name " + b);
                }
                Optional<Integer> bound = listenerPort(env.get("KAFKA_LISTENERS"), name);
                if (bound.isEmpty() || bound.get() != u.getPort()) {
                    problems.add(PATH + ": services." + b + " advertises " + l + " but KAFKA_LISTENERS binds " + name
                            + " on " + bound.map(String::valueOf).orElse("no port"));
                }
                if (name.contains("SASL_")) {
                    problems.add(PATH + ": services." + b + " names a listener " + name + ": the apache/kafka image "
                            + "then wants a JAAS file in KAFKA_OPTS; keep the name BROKER");
                }
            }
        }
        report(problems);
    }

    @Test
    void brokersDenyWhatNoAclAllowsWithKafkaAccesssSuperUsers() {
        Map<String, String> expected = Map.of(
                "KAFKA_AUTHORIZER_CLASS_NAME", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND", "false",
                "KAFKA_SUPER_USERS", KafkaAccess.superUsers(),
                "KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
        List<String> problems = new ArrayList<>();
        for (String b : compose.brokers()) {
            Map<String, String> env = environment(compose.service(b));
            expected.forEach((key, value) -> {
                if (!value.equals(env.get(key))) {
                    problems.add(PATH + ": services." + b + ".environment." + key + " is " + env.get(key)
                            + ": set it to \"" + value + "\"");
                }
            });
            env.forEach((key, value) -> {
                if (key.startsWith("KAFKA_") && value.contains("=")) {
                    // the image's env-to-properties tool keeps only NAME=VALUE entries with one '=': it drops this one
                    problems.add(
                            PATH + ": services." + b + ".environment." + key + " has '=' in its value, which the "
                                    + "apache/kafka image drops silently: move the value into a secret file and use ${file:...}");
                }
                if (key.endsWith("_JAAS_CONFIG") && value.contains("password=")) {
                    problems.add(PATH + ": services." + b + ".environment." + key + " holds a password: read it from "
                            + "the secret file ($${file:/run/secrets/kafka-broker.properties:KEY})");
                }
            });
        }
        report(problems);
    }

    @Test
    void everyInstanceBootstrapsFromEveryBroker() {
        List<String> problems = new ArrayList<>();
        Set<String> all = new TreeSet<>();
        for (String b : compose.brokers()) {
            for (String l : environment(compose.service(b))
                    .getOrDefault("KAFKA_ADVERTISED_LISTENERS", "")
                    .split(",")) {
                URI u = URI.create(l.trim());
                if (u.getHost().equals(b)) {
                    all.add(b + ":" + u.getPort());
                }
            }
        }
        List<String> clients = new ArrayList<>(compose.instancesOf(SERVICES));
        compose.topicInit().ifPresent(clients::add);
        for (String i : clients) {
            String value = environment(compose.service(i)).get("KAFKA_BOOTSTRAP_SERVERS");
            Set<String> listed = new TreeSet<>();
            if (value != null) {
                for (String hostPort : value.split(",")) {
                    listed.add(hostPort.trim());
                }
            }
            if (!listed.equals(all) || all.size() < NODES) {
                problems.add(PATH + ": services." + i + ".environment.KAFKA_BOOTSTRAP_SERVERS is " + value
                        + ": set it to " + String.join(",", all)
                        + " (every broker's compose listener, so that any one can be down)");
            }
        }
        report(problems);
    }

    @Test
    void servicesStartAfterTheTopicsExistAndTheTopicsAfterEveryBroker() {
        List<String> problems = new ArrayList<>();
        Optional<String> init = compose.topicInit();
        if (init.isEmpty()) {
            report(List.of(PATH + ": no service creates the topics (a one-shot service with EBBTIDE_TOPICS) and the "
                    + "brokers do not auto-create them: add the kafka-init service"));
            return;
        }
        Map<String, String> initDeps = dependsOn(compose.service(init.get()));
        for (String b : compose.brokers()) {
            if (!"service_healthy".equals(initDeps.get(b))) {
                problems.add(PATH + ": services." + init.get() + ".depends_on must have " + b
                        + ": {condition: service_healthy} (replication factor " + REPLICATION_FACTOR
                        + " needs every broker)");
            }
        }
        for (String i : compose.instancesOf(SERVICES)) {
            if (!"service_completed_successfully"
                    .equals(dependsOn(compose.service(i)).get(init.get()))) {
                problems.add(PATH + ": services." + i + ".depends_on must have " + init.get()
                        + ": {condition: service_completed_successfully}");
            }
        }
        report(problems);
    }

    @Test
    void kafkaInitCreatesExactlyTopicsAllReplicated() throws Exception {
        String init = compose.topicInit().orElseThrow(() -> new AssertionError(PATH + ": no kafka-init service"));
        Map<String, String> env = environment(compose.service(init));
        List<String> problems = new ArrayList<>();
        if (!String.valueOf(Topics.DEFAULT_PARTITIONS).equals(env.get("EBBTIDE_PARTITIONS"))) {
            problems.add(PATH + ": services." + init + ".environment.EBBTIDE_PARTITIONS is "
                    + env.get("EBBTIDE_PARTITIONS") + ": set it to \"" + Topics.DEFAULT_PARTITIONS
                    + "\" (Topics.DEFAULT_PARTITIONS, what the local stack creates)");
        }
        Map<String, KafkaInitScript.Created> created = KafkaInitScript.run(compose.service(init), problems);
        Set<String> missing = new TreeSet<>(Topics.ALL);
        missing.removeAll(created.keySet());
        Set<String> extra = new TreeSet<>(created.keySet());
        extra.removeAll(Topics.ALL);
        if (!missing.isEmpty()) {
            problems.add(PATH + ": kafka-init does not create " + missing + " (in Topics.ALL): add them to services."
                    + init + ".environment.EBBTIDE_TOPICS");
        }
        if (!extra.isEmpty()) {
            problems.add(PATH + ": kafka-init creates " + extra + ", which Topics.ALL does not have: remove them from "
                    + "EBBTIDE_TOPICS, or add them to Topics.java");
        }
        Set<String> brokers = new LinkedHashSet<>(List.of(environment(compose.service(init))
                .getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "")
                .split(",")));
        created.forEach((topic, c) -> {
            int partitions = Topics.partitions(topic, Topics.DEFAULT_PARTITIONS);
            boolean compacted = Topics.COMPACTED.contains(topic);
            if (c.partitions() != partitions) {
                problems.add(topic + ": created with " + c.partitions() + " partitions, Topics.partitions says "
                        + partitions);
            }
            if (!REPLICATION_FACTOR.equals(c.replicationFactor())) {
                problems.add(topic + ": created with --replication-factor " + c.replicationFactor() + ": use "
                        + REPLICATION_FACTOR);
            }
            if (!MIN_INSYNC_REPLICAS.equals(c.configs().get("min.insync.replicas"))) {
                problems.add(topic + ": created without --config min.insync.replicas=" + MIN_INSYNC_REPLICAS);
            }
            if (compacted != "compact".equals(c.configs().get("cleanup.policy"))) {
                problems.add(
                        topic + ": cleanup.policy is " + c.configs().get("cleanup.policy") + " but Topics.COMPACTED "
                                + (compacted ? "has" : "does not have") + " it: fix EBBTIDE_COMPACTED_TOPICS");
            }
            if (!new LinkedHashSet<>(List.of(c.bootstrap().split(","))).equals(brokers)) {
                problems.add(topic + ": created through " + c.bootstrap() + ", not the brokers " + brokers);
            }
        });
        report(problems);
    }

    @Test
    void kafkaInitGrantsExactlyKafkaAccesssAcls(@TempDir Path dir) throws Exception {
        String init = compose.topicInit().orElseThrow(() -> new AssertionError(PATH + ": no kafka-init service"));
        List<String> problems = new ArrayList<>();
        KafkaInitScript.Result result =
                KafkaInitScript.run(compose.service(init), ComposeSecretFiles.write(dir), problems);
        Set<String> granted = new TreeSet<>();
        result.acls().forEach(a -> granted.add(aclLine(a)));
        Set<String> wanted = new TreeSet<>();
        KafkaAccess.aclBindings().forEach(a -> wanted.add(aclLine(a)));
        if (!granted.equals(wanted)) {
            Set<String> missing = new TreeSet<>(wanted);
            missing.removeAll(granted);
            Set<String> extra = new TreeSet<>(granted);
            extra.removeAll(wanted);
            problems.add(
                    PATH + ": services." + init + ".environment.EBBTIDE_ACLS differs from KafkaAccess.aclBindings()"
                            + " (missing " + missing + ", not granted there " + extra
                            + "). Replace it with:\n      EBBTIDE_ACLS: |\n"
                            + wanted.stream().map(l -> "        " + l).collect(Collectors.joining("\n")));
        }
        if (result.acls().size() != granted.size()) {
            problems.add(PATH + ": kafka-init grants some ACLs twice: "
                    + result.acls().size() + " calls, " + granted.size() + " distinct");
        }
        Set<String> principals = new TreeSet<>(KafkaAccess.principals());
        if (!result.scramPasswords().keySet().equals(principals)) {
            problems.add(PATH + ": kafka-init stores SCRAM credentials for "
                    + new TreeSet<>(result.scramPasswords().keySet()) + " but KafkaAccess.principals() are "
                    + principals
                    + ": it reads them from the secret kafka-users.properties (./ebbtide compose-secrets)");
        }
        if (!result.commandConfigs().equals(Set.of(ComposeSecretFiles.MOUNT + ComposeSecrets.KAFKA_ADMIN))) {
            problems.add(PATH + ": kafka-init's calls authenticate with " + result.commandConfigs()
                    + ": every call needs --command-config " + ComposeSecretFiles.MOUNT + ComposeSecrets.KAFKA_ADMIN);
        }
        report(problems);
    }

    /** How EBBTIDE_ACLS writes one ACL: principal, operation, resource type, pattern type, name. */
    static String aclLine(AclBinding a) {
        return a.entry().principal().replaceFirst("^User:", "") + " "
                + a.entry().operation() + " "
                + a.pattern().resourceType().toString().toLowerCase() + " "
                + a.pattern().patternType().toString().toLowerCase() + " "
                + a.pattern().name();
    }

    @Test
    void everyTopicInThePropertiesIsInTopicsAll() {
        List<String> problems = new ArrayList<>();
        for (String s : SERVICES) {
            Map<String, String> props = properties(s);
            Set<String> withTopic = new TreeSet<>();
            props.forEach((key, value) -> {
                Matcher m = TOPIC_KEY.matcher(key);
                if (!m.matches()) {
                    return;
                }
                withTopic.add(m.group(2));
                for (String topic : value.split(",")) {
                    if (!Topics.ALL.contains(topic.trim())) {
                        problems.add(propertiesPath(s) + ": " + key + " uses topic '" + topic.trim()
                                + "', which is not in Topics.ALL (common/src/main/java/dev/ebbtide/common/events/Topics.java): "
                                + "fix the name or add the topic there and to " + PATH + " kafka-init EBBTIDE_TOPICS");
                    }
                }
            });
            props.forEach((key, value) -> {
                Matcher m = KAFKA_CHANNEL.matcher(key);
                if (m.matches() && value.equals("smallrye-kafka") && !withTopic.contains(m.group(2))) {
                    problems.add(propertiesPath(s) + ": Kafka channel '" + m.group(2) + "' has no topic/topics, so it "
                            + "uses a topic named '" + m.group(2) + "': add mp.messaging." + m.group(1) + "."
                            + m.group(2) + ".topic=<a topic of Topics.ALL>");
                }
            });
        }
        report(problems);
    }

    /** The port {@code listener} binds in a KAFKA_LISTENERS value such as {@code PLAINTEXT://:9092,CONTROLLER://:9093}. */
    static Optional<Integer> listenerPort(String listeners, String listener) {
        if (listeners == null) {
            return Optional.empty();
        }
        for (String l : listeners.split(",")) {
            Matcher m = Pattern.compile("([A-Za-z_]+)://[^:]*:(\\d+)").matcher(l.trim());
            if (m.matches() && m.group(1).equalsIgnoreCase(listener)) {
                return Optional.of(Integer.valueOf(m.group(2)));
            }
        }
        return Optional.empty();
    }
}
