package dev.ebbtide.e2e;

import static dev.ebbtide.e2e.ComposeFile.PATH;
import static dev.ebbtide.e2e.RepoConfig.SERVICES;
import static dev.ebbtide.e2e.RepoConfig.dependsOn;
import static dev.ebbtide.e2e.RepoConfig.envName;
import static dev.ebbtide.e2e.RepoConfig.environment;
import static dev.ebbtide.e2e.RepoConfig.properties;
import static dev.ebbtide.e2e.RepoConfig.propertiesPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.devsupport.ComposeSecrets;
import dev.ebbtide.devsupport.KafkaAccess;
import dev.ebbtide.devsupport.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml cannot be run here (no Docker engine), so this test keeps it in step with what can be read: each
 * service's application.properties and the local stack's overrides, for every instance of every service. The Kafka
 * nodes and the topics are checked by {@link ComposeKafkaClusterTest}. Every failure names the file and the key to
 * change.
 */
class ComposeConsistencyTest {
    /**
     * Container settings read by the image's run-java.sh or by InstanceName, and QUARKUS_CONFIG_LOCATIONS (Quarkus reads
     * it before any properties file: the service's secret file).
     */
    private static final Pattern CONTAINER_ENV =
            Pattern.compile("JAVA_.*|LANGUAGE|TZ|EBBTIDE_INSTANCE|QUARKUS_CONFIG_LOCATIONS");
    /** Compose services besides Ebbtide's that may publish a port: their web pages, on 127.0.0.1. */
    static final Set<String> PUBLISHED_OTHERS = Set.of("prometheus", "grafana");

    static final String SECRETS_DIR = "./.ebbtide/secrets/" + ComposeSecrets.DIR + "/";
    /** Instance n publishes the service's port + (n - 1) × this on the host, as the local stack's instances listen. */
    static final int HOST_PORT_STEP = 10;

    static final int MIN_INSTANCES = 2;

    static ComposeFile compose;
    static Map<String, Map<String, String>> props = new LinkedHashMap<>();
    /**
     * The keys with a default a user gets: application.properties and the mapping's {@code @WithDefault}s (an
     * optional key without one has no default to replace).
     */
    static Map<String, Map<String, String>> defaults = new LinkedHashMap<>();

    @BeforeAll
    static void read() throws java.io.IOException {
        compose = ComposeFile.read();
        for (String s : SERVICES) {
            // what the service defines: its properties and the keys of its @ConfigMapping (defaults live there)
            Map<String, String> defined = new java.util.TreeMap<>(properties(s));
            Map<String, String> withDefault = new java.util.TreeMap<>(RepoConfig.plainProperties(s));
            for (ConfigurationDocTest.Found f : ConfigurationDocTest.moduleKeys(
                    RepoConfig.root(), RepoConfig.root().resolve(s))) {
                defined.putIfAbsent(f.key(), f.defaultValue() == null ? "" : f.defaultValue());
                // the job-submitter's datastore folders were never in its properties and compose does not set them
                if (f.defaultValue() != null && !f.key().startsWith("ebbtide.datastore.")) {
                    withDefault.putIfAbsent(f.key(), f.defaultValue());
                }
            }
            props.put(s, defined);
            defaults.put(s, withDefault);
        }
    }

    @Test
    void everyServiceRunsAsAtLeastTwoNamedInstances() {
        List<String> problems = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (String s : SERVICES) {
            List<String> instances = compose.instances(s);
            if (instances.size() < MIN_INSTANCES) {
                problems.add(PATH + ": " + s + " runs as " + instances.size() + " instance(s) " + instances + ": add "
                        + s + "-1 and " + s + "-2 (build: ./" + s + ", EBBTIDE_INSTANCE: <its name>)");
            }
            Set<String> images = new TreeSet<>();
            for (String i : instances) {
                JsonNode svc = compose.service(i);
                images.add(svc.path("image").asText(""));
                if (ComposeFile.number(i, s).isEmpty()) {
                    problems.add(PATH + ": services." + i + " runs " + s + ": name it " + s + "-<n> (n = 1, 2, ...)");
                }
                String name = environment(svc).get("EBBTIDE_INSTANCE");
                if (!i.equals(name)) {
                    problems.add(PATH + ": services." + i + ".environment.EBBTIDE_INSTANCE is " + name + ": set it to "
                            + i + " (it signs scale requests and names the Kafka client ids `./ebbtide status` shows)");
                }
                String other = names.put(name, i);
                if (other != null) {
                    problems.add(PATH + ": services." + other + " and " + i + " are both EBBTIDE_INSTANCE=" + name);
                }
                if (!compose.hostNames(i).contains(s)) {
                    problems.add(PATH + ": services." + i + " lacks the network alias '" + s
                            + "': add networks.default." + "aliases: [" + s + "] so that http://" + s + ":" + port(s)
                            + " reaches every instance");
                }
                if (svc.has("container_name")) {
                    problems.add(PATH + ": services." + i + ".container_name: remove it (one name per container; the "
                            + "compose service name is the instance's name)");
                }
            }
            if (images.size() > 1) {
                problems.add(PATH + ": the instances of " + s + " run different images " + images + ": use one");
            }
        }
        report(problems);
    }

    @Test
    void portsAndHealthchecksUseQuarkusHttpPort() {
        List<String> problems = new ArrayList<>();
        for (String s : SERVICES) {
            int port = port(s);
            for (String i : compose.instances(s)) {
                int n = ComposeFile.number(i, s).orElse(1);
                int host = port + (n - 1) * HOST_PORT_STEP;
                JsonNode svc = compose.service(i);
                List<RepoConfig.PortMapping> ports = RepoConfig.ports(svc);
                if (ports.isEmpty()) {
                    problems.add(PATH + ": services." + i + ".ports is empty: add \"" + host + ":" + port + "\"");
                }
                for (RepoConfig.PortMapping p : ports) {
                    if (p.target() != port || (p.published() != null && p.published() != host)) {
                        problems.add(PATH + ": services." + i + ".ports has " + p.spec() + ": change it to \"" + host
                                + ":" + port + "\" (quarkus.http.port=" + port + " in " + propertiesPath(s)
                                + "; instance n publishes the port + " + HOST_PORT_STEP + " × (n - 1))");
                    }
                }
                String health = svc.path("healthcheck").path("test").toString();
                String url = "localhost:" + port + "/q/health/ready";
                if (!health.contains(url)) {
                    problems.add(PATH + ": services." + i + ".healthcheck.test is " + health
                            + ": it must request http://" + url);
                }
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
        for (String s : SERVICES) {
            for (String i : compose.instances(s)) {
                String dockerfile =
                        compose.service(i).path("build").path("dockerfile").asText("Dockerfile");
                Path file = RepoConfig.root().resolve(s).resolve(dockerfile);
                if (!Files.isRegularFile(file)) {
                    problems.add(PATH + ": services." + i + ".build.dockerfile " + dockerfile + " does not exist in "
                            + s + "/: add " + s + "/src/main/docker/Dockerfile.jvm");
                    continue;
                }
                String text = Files.readString(file);
                if (!text.contains("target/quarkus-app/")) {
                    problems.add(s + "/" + dockerfile + " does not copy target/quarkus-app/ (Quarkus fast-jar)");
                }
                if (!Pattern.compile("(?m)^EXPOSE\\s+" + port(s) + "\\s*$")
                        .matcher(text)
                        .find()) {
                    problems.add(s + "/" + dockerfile + ": change EXPOSE to " + port(s) + " (quarkus.http.port in "
                            + propertiesPath(s) + ")");
                }
            }
        }
        report(problems);
    }

    @Test
    void everyEnvironmentVariableOverridesAPropertyTheServiceDefines() {
        List<String> problems = new ArrayList<>();
        for (String s : SERVICES) {
            Map<String, String> byEnv = new LinkedHashMap<>();
            props.get(s).keySet().forEach(k -> byEnv.put(envName(k), k));
            for (String i : compose.instances(s)) {
                for (String env : environment(compose.service(i)).keySet()) {
                    if (CONTAINER_ENV.matcher(env).matches() || byEnv.containsKey(env)) {
                        continue;
                    }
                    problems.add(PATH + ": services." + i + ".environment." + env + " overrides nothing: no key in "
                            + propertiesPath(s) + " has that env form (" + nearest(env, byEnv.keySet())
                            + "). Fix the name, or define the property in " + propertiesPath(s) + " or the service's "
                            + "@ConfigMapping first");
                }
            }
        }
        report(problems);
    }

    @Test
    void loopbackAddressesInThePropertiesAreOverridden() {
        // 127.0.0.1 is the container itself under compose: every such default must be replaced.
        List<String> problems = new ArrayList<>();
        for (String s : SERVICES) {
            for (String i : compose.instances(s)) {
                Map<String, String> env = environment(compose.service(i));
                props.get(s).forEach((key, value) -> {
                    if (value.matches(".*\\b(127\\.0\\.0\\.1|localhost)\\b.*") && !env.containsKey(envName(key))) {
                        problems.add(PATH + ": services." + i + " must set " + envName(key) + ": " + propertiesPath(s)
                                + " has " + key + "=" + value + ", which inside a container is the container itself");
                    }
                });
            }
        }
        report(problems);
    }

    @Test
    void schedulerUsesTheComposePostgres() {
        List<String> problems = new ArrayList<>();
        String s = "scheduler";
        Optional<String> pg = compose.serviceNames().stream()
                .filter(n -> compose.service(n).path("image").asText("").startsWith("postgres"))
                .findFirst();
        if (pg.isEmpty() || compose.instances(s).isEmpty()) {
            report(List.of(PATH + ": needs a postgres service (image: postgres:14) and the scheduler"));
            return;
        }
        Map<String, String> pgEnv = environment(compose.service(pg.get()));
        if (pgEnv.containsKey("POSTGRES_HOST_AUTH_METHOD") || pgEnv.containsKey("POSTGRES_PASSWORD")) {
            problems.add(
                    PATH + ": services." + pg.get() + " sets POSTGRES_HOST_AUTH_METHOD or POSTGRES_PASSWORD: remove "
                            + "them (trust lets anyone in; a password in the environment shows in docker inspect)");
        }
        String pwFile = ComposeSecretFiles.MOUNT + ComposeSecrets.POSTGRES_PASSWORD;
        if (!pwFile.equals(pgEnv.get("POSTGRES_PASSWORD_FILE"))
                || !secrets(pg.get()).contains(ComposeSecrets.POSTGRES_PASSWORD)) {
            problems.add(PATH + ": services." + pg.get() + " must set POSTGRES_PASSWORD_FILE: " + pwFile
                    + " and list secrets: [" + ComposeSecrets.POSTGRES_PASSWORD + "]");
        }
        String user = pgEnv.getOrDefault("POSTGRES_USER", "postgres");
        String db = pgEnv.getOrDefault("POSTGRES_DB", user);
        String expected = "postgresql://" + pg.get() + ":" + pgEnv.getOrDefault("PGPORT", "5432") + "/" + db;
        Map<String, String> p = props.get(s);
        if (!p.containsKey("quarkus.datasource.reactive.url")) {
            report(List.of(propertiesPath(s) + " no longer has quarkus.datasource.reactive.url: update " + PATH
                    + " and this test to the datasource the scheduler uses now"));
            return;
        }
        for (String i : compose.instances(s)) {
            Map<String, String> env = environment(compose.service(i));
            String url = env.get("QUARKUS_DATASOURCE_REACTIVE_URL");
            if (!expected.equals(url)) {
                problems.add(PATH + ": services." + i + ".environment.QUARKUS_DATASOURCE_REACTIVE_URL is " + url
                        + ": set it to " + expected + " (the compose service '" + pg.get() + "')");
            }
            String schedulerUser =
                    env.getOrDefault("QUARKUS_DATASOURCE_USERNAME", p.get("quarkus.datasource.username"));
            if (!user.equals(schedulerUser)) {
                problems.add(PATH + ": services." + i + " connects as '" + schedulerUser + "' but services." + pg.get()
                        + " creates '" + user + "': set QUARKUS_DATASOURCE_USERNAME: " + user);
            }
            if (!secrets(i).contains("scheduler.properties")
                    || !("/run/secrets/scheduler.properties").equals(env.get("QUARKUS_CONFIG_LOCATIONS"))) {
                problems.add(
                        PATH + ": services." + i + " must read its database password from its secret file: "
                                + "secrets: [scheduler.properties] and QUARKUS_CONFIG_LOCATIONS: /run/secrets/scheduler.properties");
            }
            if (!dependsOn(compose.service(i)).getOrDefault(pg.get(), "").equals("service_healthy")) {
                problems.add(PATH + ": services." + i + ".depends_on must have " + pg.get()
                        + ": {condition: service_healthy}");
            }
        }
        report(problems);
    }

    @Test
    void onlyHttpPortsArePublishedAndOnlyOn127001() {
        List<String> problems = new ArrayList<>();
        Set<String> instances = new TreeSet<>(compose.instancesOf(SERVICES));
        for (String n : compose.serviceNames()) {
            List<RepoConfig.PortMapping> ports = RepoConfig.ports(compose.service(n));
            if (ports.isEmpty()) {
                continue;
            }
            if (!instances.contains(n) && !PUBLISHED_OTHERS.contains(n)) {
                problems.add(PATH + ": services." + n + ".ports publishes "
                        + ports.stream().map(RepoConfig.PortMapping::spec).toList()
                        + ": remove it (only the services' HTTP ports, Prometheus and Grafana are published;"
                        + " Kafka and PostgreSQL stay on the compose network)");
            }
            for (RepoConfig.PortMapping p : ports) {
                if (!p.spec().startsWith("127.0.0.1:") && !p.spec().contains("\"host_ip\":\"127.0.0.1\"")) {
                    problems.add(
                            PATH + ": services." + n + ".ports has " + p.spec() + ": bind it to 127.0.0.1 (\"127.0.0.1:"
                                    + (p.published() == null ? p.target() : p.published()) + ":" + p.target() + "\")");
                }
            }
        }
        report(problems);
    }

    @Test
    void secretsAreTheFilesComposeSecretsWritesAndNoPasswordIsInTheEnvironment() throws IOException {
        List<String> problems = new ArrayList<>();
        JsonNode top = compose.root.path("secrets");
        Set<String> declared = new TreeSet<>();
        top.fieldNames().forEachRemaining(declared::add);
        if (!declared.equals(new TreeSet<>(ComposeSecrets.names()))) {
            problems.add(
                    PATH + ": the top-level secrets " + declared + " differ from the files ./ebbtide compose-secrets "
                            + "writes " + new TreeSet<>(ComposeSecrets.names()) + ": declare exactly these");
        }
        for (String name : declared) {
            String file = top.path(name).path("file").asText("");
            if (!file.equals(SECRETS_DIR + name)) {
                problems.add(PATH + ": secrets." + name + ".file is '" + file + "': set it to " + SECRETS_DIR + name);
            }
        }
        for (String n : compose.serviceNames()) {
            for (String used : secrets(n)) {
                if (!declared.contains(used)) {
                    problems.add(PATH + ": services." + n + " uses secret " + used + ", which is not declared");
                }
            }
            environment(compose.service(n)).forEach((k, v) -> {
                if (k.endsWith("PASSWORD") || v.contains("password=\"")) {
                    problems.add(PATH + ": services." + n + ".environment." + k + " looks like a password: read it "
                            + "from a secret file");
                }
            });
        }
        for (String s : ComposeSecrets.services()) {
            for (String i : compose.instances(s)) {
                String own = s + ".properties";
                String location = environment(compose.service(i)).get("QUARKUS_CONFIG_LOCATIONS");
                if (!secrets(i).contains(own) || !(ComposeSecretFiles.MOUNT + own).equals(location)) {
                    problems.add(PATH + ": services." + i + " must list secrets: [" + own + "] and set "
                            + "QUARKUS_CONFIG_LOCATIONS: " + ComposeSecretFiles.MOUNT + own
                            + " (its Kafka principal's credentials)");
                }
            }
        }
        for (String i : compose.instances("provisioner")) {
            if (!secrets(i).contains(ComposeSecrets.NODE_AGENT)) {
                problems.add(PATH + ": services." + i + " starts node agents: list secrets: ["
                        + ComposeSecrets.NODE_AGENT + "] (provisioner.properties points the agents at it)");
            }
        }
        report(problems);
    }

    @Test
    void composeSecretsGivesTheSchedulerThePostgresPasswordAndEachServiceItsOwnPrincipal(@TempDir Path dir)
            throws IOException {
        Path files = ComposeSecretFiles.write(dir);
        assertEquals(
                new TreeSet<>(ComposeSecrets.names()),
                new TreeSet<>(
                        Files.list(files).map(f -> f.getFileName().toString()).toList()));
        String pg = Files.readString(files.resolve(ComposeSecrets.POSTGRES_PASSWORD));
        Map<String, Object> scheduler = ComposeSecretFiles.clientConfig(files.resolve("scheduler.properties"));
        assertEquals(pg, scheduler.get("quarkus.datasource.password"));
        assertTrue(ComposeSecrets.services()
                .containsAll(List.of("job-submitter", "scheduler", "autoscaler", "provisioner")));
        for (String s : ComposeSecrets.services()) {
            Map<String, Object> c = ComposeSecretFiles.clientConfig(files.resolve(s + ".properties"));
            String principal = KafkaAccess.GRANTS.get(s).principal();
            assertTrue(
                    String.valueOf(c.get("kafka.sasl.jaas.config")).contains("username=\"" + principal + "\""),
                    s + " authenticates as " + principal);
            assertEquals("SCRAM-SHA-256", c.get("kafka.sasl.mechanism"), s);
        }
        Map<String, Object> provisioner = ComposeSecretFiles.clientConfig(files.resolve("provisioner.properties"));
        assertEquals(
                ComposeSecretFiles.MOUNT + ComposeSecrets.NODE_AGENT, provisioner.get(LocalStack.AGENT_KAFKA_CONFIG));
        assertTrue(String.valueOf(ComposeSecretFiles.clientConfig(files.resolve(ComposeSecrets.NODE_AGENT))
                        .get("kafka.sasl.jaas.config"))
                .contains("username=\"" + KafkaAccess.AGENT + "\""));
        // readable by the containers' users (compose mounts file secrets as they are), reachable by you only
        for (String name : ComposeSecrets.names()) {
            assertEquals(
                    "r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.resolve(name))));
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files)));
    }

    /** The secrets a compose service lists (short syntax names, or long syntax sources). */
    static Set<String> secrets(String service) {
        Set<String> names = new TreeSet<>();
        compose.service(service)
                .path("secrets")
                .forEach(s -> names.add(s.isObject() ? s.path("source").asText() : s.asText()));
        return names;
    }

    @Test
    void restClientUrlsPointAtEveryInstanceOfAService() {
        List<String> problems = new ArrayList<>();
        Pattern restUrl = Pattern.compile("QUARKUS_REST_CLIENT_(.+)_URL");
        for (String i : compose.instancesOf(SERVICES)) {
            JsonNode svc = compose.service(i);
            for (Map.Entry<String, String> e : environment(svc).entrySet()) {
                if (!restUrl.matcher(e.getKey()).matches()) {
                    continue;
                }
                URI u = URI.create(e.getValue());
                String target = u.getHost();
                if (!SERVICES.contains(target)) {
                    problems.add(PATH + ": services." + i + ".environment." + e.getKey() + "=" + e.getValue()
                            + " names no Ebbtide service; use one of " + SERVICES
                            + " (the alias of all its instances)");
                } else if (u.getPort() != port(target)) {
                    problems.add(PATH + ": services." + i + ".environment." + e.getKey() + "=" + e.getValue() + ": "
                            + target + " listens on " + port(target) + " (quarkus.http.port in "
                            + propertiesPath(target)
                            + "): use http://" + target + ":" + port(target));
                } else if (compose.instances(target).stream().noneMatch(dependsOn(svc)::containsKey)) {
                    problems.add(PATH + ": services." + i + " calls " + target + " (" + e.getKey() + "): add " + target
                            + "-1 to services." + i + ".depends_on");
                }
            }
        }
        report(problems);
    }

    /** No scheduler instance is special: whoever calls the scheduler lists every instance, so it can fail over. */
    @Test
    void callersOfTheSchedulerListEveryInstance() {
        List<String> problems = new ArrayList<>();
        String key = "EBBTIDE_SCHEDULER_URLS";
        List<String> every = compose.instances("scheduler").stream()
                .map(i -> "http://" + i + ":" + port("scheduler"))
                .toList();
        int callers = 0;
        for (String i : compose.instancesOf(SERVICES)) {
            JsonNode svc = compose.service(i);
            String urls = environment(svc).get(key);
            if (urls == null) {
                continue;
            }
            callers++;
            List<String> listed = List.of(urls.split(","));
            if (!new TreeSet<>(listed).equals(new TreeSet<>(every))) {
                problems.add(PATH + ": services." + i + ".environment." + key + "=" + urls + ": use "
                        + String.join(",", every)
                        + " (every scheduler instance, so a call moves on while one is down)");
            } else if (compose.instances("scheduler").stream().noneMatch(dependsOn(svc)::containsKey)) {
                problems.add(PATH + ": services." + i + " calls the scheduler (" + key
                        + "): add scheduler-1 to services." + i + ".depends_on");
            }
        }
        assertTrue(callers >= 2, PATH + ": the job-submitter and autoscaler instances must set " + key);
        report(problems);
    }

    @Test
    void autoscalerMountsTheClusterDirectoryItReads() {
        String s = "autoscaler";
        String key = "ebbtide.clusters.dir";
        if (!props.get(s).containsKey(key)) {
            report(List.of(s + " no longer reads " + key + ": update " + PATH + " and this test"));
            return;
        }
        List<String> problems = new ArrayList<>();
        for (String i : compose.instances(s)) {
            String dir = environment(compose.service(i)).get(envName(key));
            Optional<RepoConfig.Mount> mount = RepoConfig.volumes(compose.service(i)).stream()
                    .filter(m -> m.target().equals(dir))
                    .findFirst();
            if (dir == null) {
                problems.add(PATH + ": services." + i + ".environment has no " + envName(key)
                        + ": set it to /clusters and mount ./clusters:/clusters:ro");
            } else if (mount.isEmpty()) {
                problems.add(PATH + ": services." + i + " reads clusters from " + dir + " (" + envName(key)
                        + ") but mounts nothing there: add volume ./clusters:" + dir + ":ro");
            } else {
                if (!mount.get().readOnly()) {
                    problems.add(PATH + ": services." + i + "'s volume at " + dir + " must be read-only (:ro)");
                }
                if (!Files.isDirectory(
                        RepoConfig.root().resolve(mount.get().source()).normalize())) {
                    problems.add(PATH + ": services." + i + " mounts "
                            + mount.get().source() + ", which is not a directory of the repository: use ./clusters");
                }
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
        assertTrue(
                keys.contains("kafka.bootstrap.servers"),
                "found no -D settings in " + source + ": update the pattern in this test to LocalStack's new form");
        List<String> problems = new ArrayList<>();
        for (String s : SERVICES) {
            for (String i : compose.instances(s)) {
                Map<String, String> env = environment(compose.service(i));
                for (String key : keys) {
                    if (defaults.get(s).containsKey(key) && !env.containsKey(envName(key))) {
                        problems.add(PATH + ": services." + i + ".environment needs " + envName(key)
                                + " (LocalStack sets -D" + key + " for a working stack and " + s + " has a default "
                                + "for it)");
                    }
                }
            }
        }
        report(problems);
    }

    static int port(String service) {
        String p = properties(service).get("quarkus.http.port");
        if (p == null) {
            throw new AssertionError(propertiesPath(service) + " has no quarkus.http.port: add it");
        }
        return Integer.parseInt(p.trim());
    }

    /** The known env forms sharing the longest prefix with the unknown one, to suggest a fix. */
    private static String nearest(String env, Set<String> known) {
        int best = 0;
        Set<String> candidates = new LinkedHashSet<>();
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
        return candidates.isEmpty()
                ? "known: " + new TreeSet<>(known)
                : "did you mean " + candidates.stream().sorted().collect(Collectors.joining(" or ")) + "?";
    }

    static void report(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }
}
