package dev.ebbtide.e2e;

import static dev.ebbtide.e2e.RepoConfig.SERVICES;
import static dev.ebbtide.e2e.RepoConfig.dependsOn;
import static dev.ebbtide.e2e.RepoConfig.envName;
import static dev.ebbtide.e2e.RepoConfig.environment;
import static dev.ebbtide.e2e.RepoConfig.properties;
import static dev.ebbtide.e2e.RepoConfig.propertiesPath;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml cannot be run here (no Docker engine), so this test keeps it in step with what can be read: each
 * service's application.properties, {@link Topics#ALL} and the local stack's overrides. Every failure names the file
 * and the key to change.
 */
class ComposeConsistencyTest {
    private static final String COMPOSE = "docker-compose.yml";
    /** Container settings read by the image's run-java.sh, not by Quarkus. */
    private static final Pattern CONTAINER_ENV = Pattern.compile("JAVA_.*|LANGUAGE|TZ");
    /** LocalStack creates ebbtide.clusters compacted; compose must do the same (see EmbeddedKafka.createTopics). */
    private static final Set<String> COMPACTED = Set.of(Topics.CLUSTERS, Topics.POLICIES);
    private static final Pattern TOPIC_KEY = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.(topic|topics)");
    private static final Pattern KAFKA_CHANNEL = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.connector");

    static JsonNode services;
    static Map<String, Map<String, String>> props = new LinkedHashMap<>();

    @BeforeAll
    static void read() {
        services = RepoConfig.compose().path("services");
        SERVICES.forEach(s -> props.put(s, properties(s)));
    }

    @Test
    void everyServiceIsInCompose() {
        List<String> problems = new ArrayList<>();
        for (String s : SERVICES) {
            if (!services.has(s)) {
                problems.add(COMPOSE + ": no service '" + s + "': add services." + s + " (build: ./" + s
                        + ", port " + port(s) + ")");
            }
        }
        report(problems);
    }

    @Test
    void portsAndHealthchecksUseQuarkusHttpPort() {
        List<String> problems = new ArrayList<>();
        for (String s : present()) {
            int port = port(s);
            JsonNode svc = services.get(s);
            List<RepoConfig.PortMapping> ports = RepoConfig.ports(svc);
            if (ports.isEmpty()) {
                problems.add(COMPOSE + ": services." + s + ".ports is empty: add \"" + port + ":" + port
                        + "\" (quarkus.http.port in " + propertiesPath(s) + ")");
            }
            for (RepoConfig.PortMapping p : ports) {
                if (p.target() != port || (p.published() != null && p.published() != port)) {
                    problems.add(COMPOSE + ": services." + s + ".ports has " + p.spec() + " but " + propertiesPath(s)
                            + " has quarkus.http.port=" + port + ": change it to \"" + port + ":" + port + "\"");
                }
            }
            String health = svc.path("healthcheck").path("test").toString();
            String url = "localhost:" + port + "/q/health/ready";
            if (!health.contains(url)) {
                problems.add(COMPOSE + ": services." + s + ".healthcheck.test is " + health
                        + ": it must request http://" + url);
            }
            Integer stackPort = LocalStack.SERVICES.get(s);
            if (stackPort != null && stackPort != port) {
                problems.add("LocalStack.SERVICES has " + s + "=" + stackPort + " but " + propertiesPath(s)
                        + " has quarkus.http.port=" + port + ": make them equal");
            }
        }
        report(problems);
    }

    @Test
    void servicesAreBuiltFromTheirModulesInFastJarForm() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String s : present()) {
            JsonNode build = services.get(s).path("build");
            String context = build.isTextual() ? build.asText() : build.path("context").asText("");
            String dockerfile = build.path("dockerfile").asText("Dockerfile");
            Path dir = RepoConfig.root().resolve(context).normalize();
            if (!dir.equals(RepoConfig.root().resolve(s))) {
                problems.add(COMPOSE + ": services." + s + ".build.context is '" + context + "': set it to ./" + s);
                continue;
            }
            Path file = dir.resolve(dockerfile);
            if (!Files.isRegularFile(file)) {
                problems.add(COMPOSE + ": services." + s + ".build.dockerfile " + dockerfile + " does not exist in " + s
                        + "/: add " + s + "/src/main/docker/Dockerfile.jvm");
                continue;
            }
            String text = Files.readString(file);
            if (!text.contains("target/quarkus-app/")) {
                problems.add(s + "/" + dockerfile + " does not copy target/quarkus-app/ (Quarkus fast-jar)");
            }
            if (!Pattern.compile("(?m)^EXPOSE\\s+" + port(s) + "\\s*$").matcher(text).find()) {
                problems.add(s + "/" + dockerfile + ": change EXPOSE to " + port(s) + " (quarkus.http.port in "
                        + propertiesPath(s) + ")");
            }
        }
        report(problems);
    }

    @Test
    void everyEnvironmentVariableOverridesAPropertyTheServiceDefines() {
        List<String> problems = new ArrayList<>();
        for (String s : present()) {
            Map<String, String> byEnv = new LinkedHashMap<>();
            props.get(s).keySet().forEach(k -> byEnv.put(envName(k), k));
            for (String env : environment(services.get(s)).keySet()) {
                if (CONTAINER_ENV.matcher(env).matches() || byEnv.containsKey(env)) {
                    continue;
                }
                problems.add(COMPOSE + ": services." + s + ".environment." + env + " overrides nothing: no key in "
                        + propertiesPath(s) + " has that env form (" + nearest(env, byEnv.keySet())
                        + "). Fix the name, or define the property in " + propertiesPath(s) + " first");
            }
        }
        report(problems);
    }

    @Test
    void loopbackAddressesInThePropertiesAreOverridden() {
        // 127.0.0.1 is the container itself under compose: every such default must be replaced.
        List<String> problems = new ArrayList<>();
        for (String s : present()) {
            Map<String, String> env = environment(services.get(s));
            props.get(s).forEach((key, value) -> {
                if (value.matches(".*\\b(127\\.0\\.0\\.1|localhost)\\b.*") && !env.containsKey(envName(key))) {
                    problems.add(COMPOSE + ": services." + s + " must set " + envName(key) + ": " + propertiesPath(s)
                            + " has " + key + "=" + value + ", which inside a container is the container itself");
                }
            });
        }
        report(problems);
    }

    @Test
    void kafkaBootstrapPointsAtTheComposeBrokersListener() {
        List<String> problems = new ArrayList<>();
        Optional<String> broker = serviceNames().stream()
                .filter(n -> environment(services.get(n)).getOrDefault("KAFKA_PROCESS_ROLES", "").contains("broker"))
                .findFirst();
        if (broker.isEmpty()) {
            report(List.of(COMPOSE + ": no Kafka broker (a service with KAFKA_PROCESS_ROLES containing broker)"));
            return;
        }
        Map<String, String> brokerEnv = environment(services.get(broker.get()));
        Set<String> advertised = new LinkedHashSet<>();
        for (String l : brokerEnv.getOrDefault("KAFKA_ADVERTISED_LISTENERS", "").split(",")) {
            URI u = URI.create(l.trim());
            if (broker.get().equals(u.getHost())) {
                advertised.add(u.getHost() + ":" + u.getPort());
            }
        }
        if (advertised.isEmpty()) {
            problems.add(COMPOSE + ": services." + broker.get() + ".environment.KAFKA_ADVERTISED_LISTENERS advertises no "
                    + "listener on host '" + broker.get() + "': add e.g. PLAINTEXT://" + broker.get() + ":9092");
        }
        for (String s : present()) {
            if (!props.get(s).containsKey("kafka.bootstrap.servers")) {
                continue;
            }
            String value = environment(services.get(s)).get("KAFKA_BOOTSTRAP_SERVERS");
            if (value == null) {
                problems.add(COMPOSE + ": services." + s + ".environment has no KAFKA_BOOTSTRAP_SERVERS: set it to "
                        + String.join(",", advertised));
                continue;
            }
            for (String hostPort : value.split(",")) {
                if (!advertised.contains(hostPort.trim())) {
                    problems.add(COMPOSE + ": services." + s + ".environment.KAFKA_BOOTSTRAP_SERVERS=" + value
                            + " is not a listener the broker advertises to the compose network " + advertised
                            + ": set it to " + String.join(",", advertised));
                }
            }
            if (!dependsOn(services.get(s)).getOrDefault(broker.get(), "").equals("service_healthy")) {
                problems.add(COMPOSE + ": services." + s + ".depends_on must have " + broker.get()
                        + ": {condition: service_healthy}");
            }
        }
        report(problems);
    }

    @Test
    void schedulerUsesTheComposePostgres() {
        List<String> problems = new ArrayList<>();
        String s = "scheduler";
        Optional<String> pg = serviceNames().stream()
                .filter(n -> services.get(n).path("image").asText("").startsWith("postgres")).findFirst();
        if (pg.isEmpty() || !services.has(s)) {
            report(List.of(COMPOSE + ": needs a postgres service (image: postgres:14) and the scheduler"));
            return;
        }
        Map<String, String> pgEnv = environment(services.get(pg.get()));
        String user = pgEnv.getOrDefault("POSTGRES_USER", "postgres");
        String db = pgEnv.getOrDefault("POSTGRES_DB", user);
        String expected = "postgresql://" + pg.get() + ":" + pgEnv.getOrDefault("PGPORT", "5432") + "/" + db;
        Map<String, String> env = environment(services.get(s));
        Map<String, String> p = props.get(s);
        String url = env.get("QUARKUS_DATASOURCE_REACTIVE_URL");
        if (!p.containsKey("quarkus.datasource.reactive.url")) {
            problems.add(propertiesPath(s) + " no longer has quarkus.datasource.reactive.url: update " + COMPOSE
                    + " and this test to the datasource the scheduler uses now");
        } else if (url == null || !url.equals(expected)) {
            problems.add(COMPOSE + ": services.scheduler.environment.QUARKUS_DATASOURCE_REACTIVE_URL is " + url
                    + ": set it to " + expected + " (the compose service '" + pg.get() + "')");
        }
        String schedulerUser = env.getOrDefault("QUARKUS_DATASOURCE_USERNAME", p.get("quarkus.datasource.username"));
        if (!user.equals(schedulerUser)) {
            problems.add(COMPOSE + ": the scheduler connects as '" + schedulerUser + "' but services." + pg.get()
                    + " creates '" + user + "': set QUARKUS_DATASOURCE_USERNAME: " + user);
        }
        if (!"trust".equals(pgEnv.get("POSTGRES_HOST_AUTH_METHOD"))) {
            String password = env.getOrDefault("QUARKUS_DATASOURCE_PASSWORD", p.getOrDefault("quarkus.datasource.password", ""));
            if (!password.equals(pgEnv.getOrDefault("POSTGRES_PASSWORD", ""))) {
                problems.add(COMPOSE + ": services.scheduler.environment.QUARKUS_DATASOURCE_PASSWORD must equal services."
                        + pg.get() + ".environment.POSTGRES_PASSWORD (or set POSTGRES_HOST_AUTH_METHOD: trust)");
            }
        }
        if (!dependsOn(services.get(s)).getOrDefault(pg.get(), "").equals("service_healthy")) {
            problems.add(COMPOSE + ": services.scheduler.depends_on must have " + pg.get() + ": {condition: service_healthy}");
        }
        report(problems);
    }

    @Test
    void restClientUrlsPointAtComposeServices() {
        List<String> problems = new ArrayList<>();
        Pattern restUrl = Pattern.compile("QUARKUS_REST_CLIENT_(.+)_URL");
        for (String s : present()) {
            JsonNode svc = services.get(s);
            for (Map.Entry<String, String> e : environment(svc).entrySet()) {
                if (!restUrl.matcher(e.getKey()).matches()) {
                    continue;
                }
                URI u = URI.create(e.getValue());
                String target = u.getHost();
                if (!SERVICES.contains(target)) {
                    problems.add(COMPOSE + ": services." + s + ".environment." + e.getKey() + "=" + e.getValue()
                            + " names no Ebbtide service; use one of " + SERVICES);
                } else if (u.getPort() != port(target)) {
                    problems.add(COMPOSE + ": services." + s + ".environment." + e.getKey() + "=" + e.getValue()
                            + ": " + target + " listens on " + port(target) + " (quarkus.http.port in "
                            + propertiesPath(target) + "): use http://" + target + ":" + port(target));
                } else if (!dependsOn(svc).containsKey(target)) {
                    problems.add(COMPOSE + ": services." + s + " calls " + target + " (" + e.getKey()
                            + "): add " + target + " to services." + s + ".depends_on");
                }
            }
        }
        report(problems);
    }

    @Test
    void autoscalerMountsTheClusterDirectoryItReads() {
        List<String> problems = new ArrayList<>();
        String s = "autoscaler";
        if (!services.has(s)) {
            return; // reported by everyServiceIsInCompose
        }
        String key = "ebbtide.clusters.dir";
        if (!props.get(s).containsKey(key)) {
            report(List.of(propertiesPath(s) + " no longer has " + key + ": update " + COMPOSE + " and this test"));
            return;
        }
        String dir = environment(services.get(s)).get(envName(key));
        Optional<RepoConfig.Mount> mount = RepoConfig.volumes(services.get(s)).stream()
                .filter(m -> m.target().equals(dir)).findFirst();
        if (dir == null) {
            problems.add(COMPOSE + ": services.autoscaler.environment has no " + envName(key)
                    + ": set it to /clusters and mount ./clusters:/clusters:ro");
        } else if (mount.isEmpty()) {
            problems.add(COMPOSE + ": services.autoscaler reads clusters from " + dir + " (" + envName(key)
                    + ") but mounts nothing there: add volume ./clusters:" + dir + ":ro");
        } else {
            if (!mount.get().readOnly()) {
                problems.add(COMPOSE + ": services.autoscaler's volume at " + dir + " must be read-only (:ro)");
            }
            if (!Files.isDirectory(RepoConfig.root().resolve(mount.get().source()).normalize())) {
                problems.add(COMPOSE + ": services.autoscaler mounts " + mount.get().source()
                        + ", which is not a directory of the repository: use ./clusters");
            }
        }
        report(problems);
    }

    @Test
    void everyTopicInThePropertiesIsInTopicsAll() {
        List<String> problems = new ArrayList<>();
        for (String s : SERVICES) {
            Set<String> withTopic = new TreeSet<>();
            props.get(s).forEach((key, value) -> {
                Matcher m = TOPIC_KEY.matcher(key);
                if (!m.matches()) {
                    return;
                }
                withTopic.add(m.group(2));
                for (String topic : value.split(",")) {
                    if (!Topics.ALL.contains(topic.trim())) {
                        problems.add(propertiesPath(s) + ": " + key + " uses topic '" + topic.trim()
                                + "', which is not in Topics.ALL (common/src/main/java/dev/ebbtide/common/events/Topics.java): "
                                + "fix the name or add the topic there" + (hasTopicInit() ? " and to " + COMPOSE
                                        + " kafka-init EBBTIDE_TOPICS" : ""));
                    }
                }
            });
            props.get(s).forEach((key, value) -> {
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

    @Test
    void composeCreatesExactlyTopicsAll() {
        List<String> problems = new ArrayList<>();
        Optional<String> init = topicInit();
        if (init.isEmpty()) {
            problems.add(COMPOSE + ": no service creates the topics (a one-shot service with EBBTIDE_TOPICS) and the "
                    + "broker does not auto-create them: add the kafka-init service");
            report(problems);
            return;
        }
        Map<String, String> env = environment(services.get(init.get()));
        List<String> listed = words(env.get("EBBTIDE_TOPICS"));
        Set<String> created = new LinkedHashSet<>(listed);
        if (created.size() != listed.size()) {
            problems.add(COMPOSE + ": services." + init.get() + ".environment.EBBTIDE_TOPICS lists a topic twice: " + listed);
        }
        Set<String> missing = new TreeSet<>(Topics.ALL);
        missing.removeAll(created);
        Set<String> extra = new TreeSet<>(created);
        extra.removeAll(Topics.ALL);
        if (!missing.isEmpty()) {
            problems.add(COMPOSE + ": add " + missing + " to services." + init.get()
                    + ".environment.EBBTIDE_TOPICS (they are in Topics.ALL)");
        }
        if (!extra.isEmpty()) {
            problems.add(COMPOSE + ": services." + init.get() + ".environment.EBBTIDE_TOPICS has " + extra
                    + ", which Topics.ALL does not: remove them, or add them to Topics.java");
        }
        if (!String.valueOf(Topics.DEFAULT_PARTITIONS).equals(env.get("EBBTIDE_PARTITIONS"))) {
            problems.add(COMPOSE + ": services." + init.get() + ".environment.EBBTIDE_PARTITIONS is "
                    + env.get("EBBTIDE_PARTITIONS") + ": set it to \"" + Topics.DEFAULT_PARTITIONS
                    + "\" (Topics.DEFAULT_PARTITIONS, what the local stack creates)");
        }
        Set<String> compacted = new TreeSet<>(words(env.get("EBBTIDE_COMPACTED_TOPICS")));
        if (!compacted.equals(new TreeSet<>(COMPACTED))) {
            problems.add(COMPOSE + ": services." + init.get() + ".environment.EBBTIDE_COMPACTED_TOPICS is " + compacted
                    + ": set it to " + new TreeSet<>(COMPACTED) + " (the local stack compacts exactly these)");
        }
        for (String s : present()) {
            if (!"service_completed_successfully".equals(dependsOn(services.get(s)).get(init.get()))) {
                problems.add(COMPOSE + ": services." + s + ".depends_on must have " + init.get()
                        + ": {condition: service_completed_successfully}");
            }
        }
        report(problems);
    }

    @Test
    void everySettingTheLocalStackOverridesIsOverriddenInCompose() throws IOException {
        // LocalStack replaces these defaults for a working stack; compose must replace them too, in each service
        // that defines them. quarkus.http.port is checked by portsAndHealthchecksUseQuarkusHttpPort.
        Path source = RepoConfig.root().resolve("dev-support/src/main/java/dev/ebbtide/devsupport/LocalStack.java");
        Matcher m = Pattern.compile("\"-D([A-Za-z0-9.\\-\"]+)=").matcher(Files.readString(source));
        Set<String> keys = new TreeSet<>();
        while (m.find()) {
            keys.add(m.group(1));
        }
        keys.remove("quarkus.http.port");
        assertTrue(keys.contains("kafka.bootstrap.servers"),
                "found no -D settings in " + source + ": update the pattern in this test to LocalStack's new form");
        List<String> problems = new ArrayList<>();
        for (String s : present()) {
            Map<String, String> env = environment(services.get(s));
            for (String key : keys) {
                if (props.get(s).containsKey(key) && !env.containsKey(envName(key))) {
                    problems.add(COMPOSE + ": services." + s + ".environment needs " + envName(key) + " (LocalStack sets -D"
                            + key + " for a working stack and " + propertiesPath(s) + " defines it)");
                }
            }
        }
        report(problems);
    }

    private static int port(String service) {
        String p = props.get(service).get("quarkus.http.port");
        if (p == null) {
            throw new AssertionError(propertiesPath(service) + " has no quarkus.http.port: add it");
        }
        return Integer.parseInt(p.trim());
    }

    private static List<String> present() {
        return SERVICES.stream().filter(services::has).toList();
    }

    private static List<String> serviceNames() {
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Optional<String> topicInit() {
        return serviceNames().stream().filter(n -> environment(services.get(n)).containsKey("EBBTIDE_TOPICS")).findFirst();
    }

    private static boolean hasTopicInit() {
        return topicInit().isPresent();
    }

    private static List<String> words(String s) {
        return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }

    /** The known env forms sharing the longest prefix with the unknown one, to suggest a fix. */
    private static String nearest(String env, Set<String> known) {
        int best = 0;
        List<String> candidates = new ArrayList<>();
        for (String k : known) {
            int n = 0;
            while (n < Math.min(k.length(), env.length()) && k.charAt(n) == env.charAt(n)) {
                n++;
            }
            if (n > best) {
                best = n;
                candidates.clear();
            }
            if (n == best && n > 0) {
                candidates.add(k);
            }
        }
        return candidates.isEmpty() ? "known: " + new TreeSet<>(known)
                : "did you mean " + candidates.stream().sorted().collect(Collectors.joining(" or ")) + "?";
    }

    private static void report(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }
}
