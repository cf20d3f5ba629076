package dev.ebbtide.devsupport;

import dev.ebbtide.common.compute.DefaultCompute;
import dev.ebbtide.common.events.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole Ebbtide stack on this machine, without Docker: a real Kafka broker and a real PostgreSQL in this JVM (the
 * database as a child process), and the four services as separate processes started from their built jars; the local
 * provider starts one node agent process per node (detached; stopped by {@link #close()}). Used by
 * {@code ./ebbtide up} (through {@link #main}) and by the end-to-end test.
 */
public final class LocalStack implements AutoCloseable {
    /** The services in start order, with their default HTTP ports. */
    public static final Map<String, Integer> SERVICES = services();

    private static Map<String, Integer> services() {
        Map<String, Integer> services = new LinkedHashMap<>();
        services.put("job-submitter", 8081);
        services.put("scheduler", 8082);
        services.put("autoscaler", 8083);
        services.put("provisioner", 8084);
        return Collections.unmodifiableMap(services);
    }

    /**
     * @param repoRoot     where the modules' {@code target/quarkus-app} folders are
     * @param stateDir     logs, job work directories and data go under here
     * @param kafkaPort    0 = any free port
     * @param postgresPort 0 = any free port
     * @param freePorts    true: services on free ports; false: on {@link #SERVICES}' defaults
     * @param clustersDir  cluster YAML files loaded by the autoscaler
     * @param extraProps   more {@code -D} settings: {@code key} for every service, {@code service:key} for one
     *                     (e.g. {@code provisioner:ebbtide.node-lost-after}, {@code
     *                     provisioner:ebbtide.local.agent-heartbeat-interval})
     * @param secured      true: Kafka demands SASL/SCRAM and enforces {@link KafkaAccess}'s ACLs, PostgreSQL a
     *                     password; passwords in {@code <stateDir>/secrets/} ({@link StackSecrets})
     * @param listenAll    false: the services, Kafka and PostgreSQL listen on 127.0.0.1 only
     *                     ({@code ./ebbtide up --listen-all})
     * @param replicas     instances of each service (separate processes, {@link StackInstance}; {@code ./ebbtide up
     *                     --replicas N}); 1 unless given
     */
    public record Options(
            Path repoRoot,
            Path stateDir,
            int kafkaPort,
            int postgresPort,
            boolean freePorts,
            Path clustersDir,
            Map<String, String> extraProps,
            boolean secured,
            boolean listenAll,
            int replicas) {
        public Options {
            if (replicas < 1) {
                throw new IllegalArgumentException("replicas must be at least 1, got " + replicas);
            }
        }

        /** One instance of each service. */
        public Options(
                Path repoRoot,
                Path stateDir,
                int kafkaPort,
                int postgresPort,
                boolean freePorts,
                Path clustersDir,
                Map<String, String> extraProps,
                boolean secured,
                boolean listenAll) {
            this(
                    repoRoot,
                    stateDir,
                    kafkaPort,
                    postgresPort,
                    freePorts,
                    clustersDir,
                    extraProps,
                    secured,
                    listenAll,
                    1);
        }

        /** Secured, loopback only, one instance of each service. */
        public Options(
                Path repoRoot,
                Path stateDir,
                int kafkaPort,
                int postgresPort,
                boolean freePorts,
                Path clustersDir,
                Map<String, String> extraProps) {
            this(repoRoot, stateDir, kafkaPort, postgresPort, freePorts, clustersDir, extraProps, true, false, 1);
        }

        /** The same with {@code replicas} instances of each service. */
        public Options withReplicas(int replicas) {
            return new Options(
                    repoRoot,
                    stateDir,
                    kafkaPort,
                    postgresPort,
                    freePorts,
                    clustersDir,
                    extraProps,
                    secured,
                    listenAll,
                    replicas);
        }
    }

    /**
     * The provisioner setting that hands the node agents their Kafka credentials: the path of
     * {@code <stateDir>/secrets/node-agent.properties} (0600; {@link StackSecrets#writeNodeAgentConfig}), in the
     * agent's own {@code --config=FILE} form. The provisioner's local provider adds {@code --config=<that path>} to
     * each agent it starts.
     */
    public static final String AGENT_KAFKA_CONFIG = "ebbtide.local.agent-kafka-config";

    /** Overrides {@link #DEFAULT_JVM_OPTIONS} (space-separated), e.g. to measure other settings with the harnesses. */
    public static final String JVM_OPTIONS_ENV = "EBBTIDE_SERVICE_JVM_OPTS";
    /** The services' JVM settings (docs/benchmarks.md, "JVM settings"). */
    static final String DEFAULT_JVM_OPTIONS = "-Xmx512m -XX:+UseSerialGC";

    /** The JVM settings every service is launched with: {@link #JVM_OPTIONS_ENV} if set, else the defaults. */
    public static List<String> serviceJvmOptions() {
        String env = System.getenv(JVM_OPTIONS_ENV);
        return List.of((env == null || env.isBlank() ? DEFAULT_JVM_OPTIONS : env)
                .trim()
                .split("\\s+"));
    }

    /** Partitions of each cluster-keyed topic (default {@link Topics#DEFAULT_PARTITIONS}). */
    public static final String PARTITIONS_ENV = "EBBTIDE_PARTITIONS";

    /** Partitions of each cluster-keyed topic in this stack ({@value #PARTITIONS_ENV}, else the default). */
    public static int partitions() {
        String env = System.getenv(PARTITIONS_ENV);
        if (env == null || env.isBlank()) {
            return Topics.DEFAULT_PARTITIONS;
        }
        try {
            int n = Integer.parseInt(env.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // the sentence below says what is wrong
        }
        throw new IllegalArgumentException(PARTITIONS_ENV + " must be a whole number of at least 1, got '" + env + "'");
    }

    /** The environment variable that names a service instance ({@code scheduler-2}); see {@link StackInstance}. */
    public static final String INSTANCE_ENV = "EBBTIDE_INSTANCE";

    static final String AGENT_JAR = "node-agent/target/node-agent-0.1.0-SNAPSHOT.jar";

    private final EmbeddedKafka kafka;
    private volatile EmbeddedPostgresServer postgres;
    private final Options options;
    private final StackSecrets secrets;
    private Path keys;
    /** By instance name ({@link StackInstance#name()}), in start order. */
    private final Map<String, Integer> ports = new LinkedHashMap<>();

    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, String> urls = new LinkedHashMap<>();
    /** The web console, when started ({@link #startConsole}); not a Kafka service, so not in {@link #SERVICES}. */
    private Process console;

    private String consoleUrl;

    /** By service: each service's credentials file, written once and shared by its instances. */
    private final Map<String, Path> serviceConfigs = new LinkedHashMap<>();

    private LocalStack(EmbeddedKafka kafka, EmbeddedPostgresServer postgres, Options options, StackSecrets secrets) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.options = options;
        this.secrets = secrets;
    }

    /**
     * Starts the stack. Services, Kafka and PostgreSQL listen on 127.0.0.1 only unless {@link Options#listenAll()}.
     * Tokens are verified with {@code <stateDir>/keys/public.pem}, created on first start ({@link DevTokens}).
     */
    public static LocalStack start(Options o) throws IOException, InterruptedException {
        return start(o, SERVICES.keySet());
    }

    /**
     * The node agents run each rank in bubblewrap: installed with apt-get when missing and root (as on CI); else one
     * sentence, and the agents refuse jobs until it is installed.
     */
    static void ensureBubblewrap() throws IOException, InterruptedException {
        if (DebianPackages.tool("bwrap", "bubblewrap").isEmpty()) {
            System.err.println("ebbtide: bubblewrap is missing, so the local nodes will refuse every job: run"
                    + " apt-get install bubblewrap (as root) and start again");
        }
    }

    /** Debian packages behind the curated scikit-learn environments of environments/local.yml (the basic examples). */
    static final List<String> EXAMPLE_PACKAGES = List.of("python3-sklearn", "python3-pandas");

    /**
     * {@code ./ebbtide up} installs {@link #EXAMPLE_PACKAGES} once when root (about a minute the first time), so Azure
     * ML's basic examples run with no edit; else one sentence, and jobs in those environments fail saying the same.
     */
    static void ensureExamplePackages() throws IOException, InterruptedException {
        List<String> missing = DebianPackages.packages(EXAMPLE_PACKAGES.toArray(String[]::new));
        if (!missing.isEmpty()) {
            System.err.println("ebbtide: jobs in the curated sklearn environments need " + String.join(" ", missing)
                    + ": run apt-get install -y " + String.join(" ", missing) + " (as root) to run them here");
        }
    }

    /**
     * Starts Kafka, PostgreSQL and only {@code services} (in {@link #SERVICES}' order), e.g. the scheduler and the
     * autoscaler for the throughput harness.
     */
    public static LocalStack start(Options o, java.util.Set<String> services) throws IOException, InterruptedException {
        List<String> chosen =
                SERVICES.keySet().stream().filter(services::contains).toList();
        for (String service : chosen) {
            Path jar = jar(o.repoRoot(), service);
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: build first with ./mvnw -B -DskipTests package");
            }
        }
        Path agentJar = o.repoRoot().resolve(AGENT_JAR).toAbsolutePath();
        if (!Files.exists(agentJar)) {
            throw new IllegalStateException(
                    agentJar + " (the node agent) is missing: build first with ./mvnw -B -DskipTests package");
        }
        Files.createDirectories(o.stateDir().resolve("logs"));
        ensureBubblewrap();
        Path publicKey = DevTokens.ensureKeys(o.stateDir().resolve("keys"));
        StackSecrets secrets =
                o.secured() ? StackSecrets.loadOrCreate(o.stateDir().resolve("secrets")) : null;
        EmbeddedKafka kafka = EmbeddedKafka.start(
                o.kafkaPort(), o.stateDir().resolve("kafka"), secrets == null ? null : secrets.kafka(), o.listenAll());
        EmbeddedPostgresServer postgres;
        try {
            kafka.createTopics(Topics.ALL, Topics.COMPACTED, partitions());
            postgres = startPostgres(o, secrets);
        } catch (IOException | RuntimeException e) {
            kafka.close();
            throw e;
        }
        LocalStack stack = new LocalStack(kafka, postgres, o, secrets);
        stack.keys = publicKey.getParent();
        try {
            if (secrets != null) {
                secrets.writeClientConfig("admin", KafkaAccess.ADMIN, kafka.bootstrapServers());
                secrets.writeClientConfig("producer", KafkaAccess.PRODUCER, kafka.bootstrapServers());
                secrets.writeNodeAgentConfig(kafka.bootstrapServers());
            }
            for (StackInstance i : StackInstance.of(SERVICES.keySet(), o.replicas())) {
                stack.ports.put(i.name(), o.freePorts() ? EmbeddedKafka.freePort() : i.defaultPort());
            }
            List<StackInstance> instances = StackInstance.of(chosen, o.replicas());
            for (StackInstance i : instances) {
                stack.launch(i);
            }
            for (StackInstance i : instances) {
                stack.awaitReady(i);
            }
            stack.writeInstancesFile();
            if (chosen.contains("provisioner")) {
                stack.attach("local", 1); // compute: local runs on this machine through this one agent, at once
            }
            return stack;
        } catch (IOException | InterruptedException | RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void launch(StackInstance instance) throws IOException {
        Options o = options;
        String service = instance.service();
        int port = ports.get(instance.name());
        // every scheduler instance: callers move on to the next while one is down (no instance is special)
        String schedulers = StackInstance.of(List.of("scheduler"), o.replicas()).stream()
                .map(s -> "http://127.0.0.1:" + ports.get(s.name()))
                .collect(java.util.stream.Collectors.joining(","));
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin());
        cmd.addAll(serviceJvmOptions());
        cmd.addAll(List.of(
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=" + (o.listenAll() ? "0.0.0.0" : "127.0.0.1"),
                "-Dmp.jwt.verify.publickey.location=" + keys.resolve("public.pem"),
                "-Dmp.jwt.verify.issuer=" + DevTokens.LOCAL_ISSUER,
                "-Dmp.jwt.verify.audiences=" + DevTokens.AUDIENCE,
                "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers()));
        // each service gets only the settings it defines (each refuses an ebbtide.* key its @ConfigMapping does not
        // know)
        switch (service) {
            case "scheduler" -> cmd.add("-Dquarkus.datasource.reactive.url=" + postgres.reactiveUrl());
            case "job-submitter" -> {
                cmd.add("-Debbtide.scheduler.urls=" + schedulers);
                // the default datastore is a folder the local agents read too (no extra process); named ones beside it
                Path stores = o.stateDir().resolve("datastores").toAbsolutePath();
                cmd.add("-Debbtide.datastore.local-path=" + stores.resolve("workspaceblobstore"));
                cmd.add("-Debbtide.datastore.definitions-dir=" + stores.resolve("defs"));
            }
            case "autoscaler" -> {
                cmd.add("-Debbtide.clusters.dir=" + o.clustersDir().toAbsolutePath());
                cmd.add("-Debbtide.autoscaler.node-boot-time=2s"); // a local node's agent starts in about 2 s
                cmd.add("-Debbtide.scheduler.urls=" + schedulers); // what-if
            }
            case "provisioner" -> {
                cmd.add("-Debbtide.local.work-dir="
                        + o.stateDir().resolve("work").toAbsolutePath());
                Path root = o.repoRoot().toAbsolutePath();
                cmd.add("-Debbtide.local.agent-classpath=" + root.resolve(AGENT_JAR) + ":"
                        + root.resolve("node-agent/target/lib") + "/*");
                // the stack's keys, passwords, databases and every node's state: never visible to a job
                cmd.add("-Debbtide.local.agent-sandbox-hide="
                        + o.stateDir().toAbsolutePath().normalize());
                // a job's code, data and outputs (the local default datastore) and its environment
                cmd.add("-Debbtide.local.agent-data-dir="
                        + o.stateDir().toAbsolutePath().normalize());
                cmd.add("-Debbtide.local.agent-environments=" + root.resolve("environments/local.yml"));
            }
            default -> throw new IllegalArgumentException(service);
        }
        o.extraProps().forEach((k, v) -> {
            if (k.startsWith(service + ":")) {
                cmd.add("-D" + k.substring(service.length() + 1) + "=" + v);
            } else if (!k.contains(":")) {
                cmd.add("-D" + k + "=" + v);
            }
        });
        if (secrets != null) {
            // passwords go through a 0600 file, never the command line (visible to every user in ps)
            Map<String, String> secret = new LinkedHashMap<>();
            if (service.equals("scheduler")) {
                secret.put("quarkus.datasource.password", secrets.postgresPassword());
            }
            if (service.equals("provisioner")) {
                secret.put(
                        AGENT_KAFKA_CONFIG,
                        secrets.dir().resolve("node-agent.properties").toString());
            }
            // written once per service: rewriting it while another instance of the service starts would race its read
            Path config = serviceConfigs.get(service);
            if (config == null) {
                config = secrets.writeServiceConfig(service, secret);
                serviceConfigs.put(service, config);
            }
            cmd.add("-Dquarkus.config.locations=" + config.toUri());
        }
        cmd.addAll(List.of("-jar", jar(o.repoRoot(), service).toString()));
        Path log = logFile(instance);
        ProcessBuilder builder = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .directory(o.stateDir().toFile());
        builder.environment().put(INSTANCE_ENV, instance.name());
        Process process = builder.start();
        synchronized (this) { // restarts may run in parallel
            processes.put(instance.name(), process);
            urls.put(instance.name(), "http://127.0.0.1:" + port);
        }
    }

    private Path logFile(StackInstance instance) {
        return options.stateDir().resolve("logs").resolve(instance.logFileName());
    }

    private void awaitReady(StackInstance instance) throws InterruptedException {
        String name = instance.name();
        awaitReady(name, urls.get(name), () -> processes.get(name), logFile(instance));
    }

    private static void awaitReady(String name, String url, java.util.function.Supplier<Process> process, Path log)
            throws InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI health = URI.create(url + "/q/health/ready");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            Process p = process.get();
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + p.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(health)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " was not ready within 120 s; see " + log);
    }

    /**
     * Kills one service instance with SIGKILL (no shutdown hook runs, like a crash) and waits until it is gone.
     *
     * @param name an instance ({@code scheduler-2}) or a service ({@code scheduler}: its instance 1)
     */
    public void kill(String name) throws InterruptedException {
        Process p = process(name);
        p.destroyForcibly();
        p.waitFor();
    }

    /**
     * Starts one service instance again with the same settings, name and port (after {@link #kill}), and waits until
     * it is ready.
     *
     * @param name an instance ({@code scheduler-2}) or a service ({@code scheduler}: its instance 1)
     */
    public void restart(String name) throws IOException, InterruptedException {
        StackInstance instance = StackInstance.parse(name);
        if (process(name).isAlive()) {
            throw new IllegalStateException(instance.name() + " is still running");
        }
        launch(instance);
        awaitReady(instance);
        writeInstancesFile();
    }

    /** The web console's port for {@code ./ebbtide up}. */
    public static final int CONSOLE_PORT = 8085;

    /**
     * Starts the web console ({@code console/}, a backend-for-frontend over instance 1 of the job-submitter, scheduler
     * and autoscaler) and waits until it is ready; opt-in, so that stacks which do not need it do not pay its start.
     *
     * @param port 0 = a free port
     * @return its URL
     */
    public synchronized String startConsole(int port) throws IOException, InterruptedException {
        Path jar = jar(options.repoRoot(), "console");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first with ./mvnw -B -DskipTests package");
        }
        int at = port == 0 ? EmbeddedKafka.freePort() : port;
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin());
        cmd.addAll(List.of(
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-Dquarkus.http.port=" + at,
                "-Dquarkus.http.host=" + (options.listenAll() ? "0.0.0.0" : "127.0.0.1"),
                "-Dmp.jwt.verify.publickey.location=" + keys.resolve("public.pem"),
                "-Dmp.jwt.verify.issuer=" + DevTokens.LOCAL_ISSUER,
                "-Dmp.jwt.verify.audiences=" + DevTokens.AUDIENCE,
                "-Debbtide.console.job-submitter-url=" + url("job-submitter"),
                "-Debbtide.console.scheduler-url=" + url("scheduler"),
                "-Debbtide.console.autoscaler-url=" + url("autoscaler")));
        options.extraProps().forEach((k, v) -> {
            if (k.startsWith("console:")) {
                cmd.add("-D" + k.substring("console:".length()) + "=" + v);
            }
        });
        cmd.addAll(List.of("-jar", jar.toString()));
        Path log = options.stateDir().resolve("logs").resolve("console.log");
        console = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .directory(options.stateDir().toFile())
                .start();
        consoleUrl = "http://127.0.0.1:" + at;
        awaitReady("console", consoleUrl, () -> console, log);
        return consoleUrl;
    }

    /** The web console's URL, or null when it was not started. */
    public String consoleUrl() {
        return consoleUrl;
    }

    /** {@code <state>/run/instances}, which {@code ./ebbtide status} reads ({@link StackStatus}). */
    private synchronized void writeInstancesFile() throws IOException {
        Path run = Files.createDirectories(options.stateDir().resolve("run"));
        Files.writeString(run.resolve(StackStatus.INSTANCES_FILE), StackStatus.instancesFile(this));
    }

    /** Whether this instance ({@code scheduler-2}, or {@code scheduler} for its instance 1) is running. */
    public boolean isAlive(String name) {
        return process(name).isAlive();
    }

    private Process process(String name) {
        Process p = processes.get(StackInstance.parse(name).name());
        if (p == null) {
            throw new IllegalArgumentException("no instance "
                    + StackInstance.parse(name).name() + " in this stack " + "(started: " + processes.keySet() + ")");
        }
        return p;
    }

    /** The service instances started, in start order. */
    public List<StackInstance> instances() {
        return processes.keySet().stream().map(StackInstance::parse).toList();
    }

    /** Where the local provider keeps its nodes ({@code <state>/work/nodes}). */
    /** The node agent's class path: its jar and {@code lib/*}. */
    public static String agentClasspath(Path repoRoot) {
        Path root = repoRoot.toAbsolutePath();
        return root.resolve(AGENT_JAR) + ":" + root.resolve("node-agent/target/lib") + "/*";
    }

    /** Where agents of attached pools started on this machine keep their directories. */
    public static Path attachedDir(Path stateDir) {
        return stateDir.resolve("work").resolve("attached").toAbsolutePath();
    }

    /**
     * Starts {@code count} node agents on this machine for the attached pool {@code cluster} (they join it when their
     * agents speak); {@link #close()} stops them.
     */
    public List<String> attach(String cluster, int count) throws IOException {
        Path config;
        if (secrets != null) {
            config = secrets.dir().resolve("node-agent.properties");
        } else { // an unsecured stack: the agents need only where Kafka is
            config = Files.createDirectories(options.stateDir().resolve("work")).resolve("node-agent.properties");
            Files.writeString(config, "bootstrap.servers=" + kafka.bootstrapServers() + "\n");
        }
        String heartbeat =
                options.extraProps().getOrDefault("provisioner:ebbtide.local.agent-heartbeat-interval", "2s");
        return AttachedAgents.start(
                agentClasspath(options.repoRoot()),
                config,
                attachedDir(options.stateDir()),
                cluster,
                count,
                heartbeat.endsWith("ms")
                        ? Duration.ofMillis(Long.parseLong(heartbeat.replace("ms", "")))
                        : Duration.parse("PT" + heartbeat.toUpperCase(java.util.Locale.ROOT)),
                options.stateDir());
    }

    public Path nodesDir() {
        return options.stateDir().resolve("work").resolve("nodes").toAbsolutePath();
    }

    /** @param name an instance ({@code scheduler-2}) or a service ({@code scheduler}: its instance 1) */
    public String url(String name) {
        return urls.get(StackInstance.parse(name).name());
    }

    /** Each service's instance 1: service name to URL. */
    public Map<String, String> urls() {
        Map<String, String> first = new LinkedHashMap<>();
        instances().stream().filter(i -> i.index() == 1).forEach(i -> first.put(i.service(), urls.get(i.name())));
        return first;
    }

    /** Every instance: instance name ({@code scheduler-2}) to URL, in start order. */
    public Map<String, String> instanceUrls() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(urls));
    }

    /** A token signed with this stack's key: {@code subject} with {@code roles}, valid for an hour. */
    public String token(String subject, String... roles) throws IOException {
        return DevTokens.localToken(keys, subject, Duration.ofHours(1), roles);
    }

    /** A token signed with this stack's key whose {@code team} claim names {@code team}, valid for an hour. */
    public String tokenOfTeam(String subject, String team, String... roles) throws IOException {
        return DevTokens.localTokenOfTeam(keys, subject, Duration.ofHours(1), team, roles);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /**
     * Client settings for a {@code KafkaProducer}/{@code KafkaConsumer}/{@code Admin} acting as {@code principal}
     * (see {@link KafkaAccess}; e.g. {@link KafkaAccess#ADMIN} for tests and tools). Holds a password: never log it.
     */
    public Map<String, Object> kafkaClientConfig(String principal) {
        return kafka.clientConfig(principal);
    }

    /** Where the generated passwords and credential files are (null when not secured). */
    public Path secretsDir() {
        return secrets == null ? null : secrets.dir();
    }

    public String postgresUrl() {
        return postgres.reactiveUrl();
    }

    /** A JDBC connection to the stack's PostgreSQL as user {@code postgres} (for tools such as the harnesses). */
    public java.sql.Connection postgresConnection() throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection(
                "jdbc:" + postgres.reactiveUrl(), "postgres", secrets == null ? "" : secrets.postgresPassword());
    }

    /** Outage tests: stops PostgreSQL (the services see connections refused); its data stays. */
    /**
     * PostgreSQL on the state directory's data: created on the first start, resumed on later ones (queued jobs,
     * history and logs survive {@code ./ebbtide down} and {@code up}; {@code ./ebbtide down --purge} wipes them).
     */
    static EmbeddedPostgresServer startPostgres(Options o, StackSecrets secrets) throws IOException {
        Path data = o.stateDir().resolve("postgres");
        String password = secrets == null ? null : secrets.postgresPassword();
        if (Files.exists(data.resolve("PG_VERSION"))) {
            return EmbeddedPostgresServer.startAgain(o.postgresPort(), data, password, o.listenAll());
        }
        return EmbeddedPostgresServer.start(o.postgresPort(), data, password, o.listenAll());
    }

    /** The options it was started with: {@code start(stack.options())} after {@link #close()} resumes it. */
    public Options options() {
        return options;
    }

    public synchronized void stopPostgres() throws IOException {
        postgres.close();
    }

    /** Starts PostgreSQL again on the same port and data directory. */
    public synchronized void startPostgres() throws IOException {
        postgres = EmbeddedPostgresServer.startAgain(
                postgres.port(),
                options.stateDir().resolve("postgres"),
                secrets == null ? null : secrets.postgresPassword(),
                options.listenAll());
    }

    /** Outage tests: stops the Kafka broker (same JVM); its log, offsets, credentials and ACLs stay. */
    public void stopKafka() {
        kafka.stop();
    }

    /** Starts the broker again on the same ports and log directory, without reformatting. */
    public void startKafka() {
        kafka.startAgain();
    }

    /** Process ids of the services (of their instance 1): service name to pid. */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        instances().stream()
                .filter(i -> i.index() == 1)
                .forEach(i -> pids.put(i.service(), processes.get(i.name()).pid()));
        return pids;
    }

    /** Process ids of every instance: instance name to pid (of the latest start). */
    public Map<String, Long> instancePids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        processes.forEach((name, p) -> pids.put(name, p.pid()));
        return pids;
    }

    @Override
    public void close() {
        if (console != null) {
            console.destroy();
        }
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        LocalAgents.stopAll(nodesDir(), Duration.ofSeconds(5)); // detached: they outlive the provisioner
        LocalAgents.stopAll(attachedDir(options.stateDir()), Duration.ofSeconds(5)); // attached pools, 'local'

        try {
            kafka.close();
        } catch (RuntimeException ignored) {
            // best effort at shutdown
        }
        try {
            postgres.close(); // its data stays: the next start resumes from it (./ebbtide down --purge wipes it)
        } catch (IOException | RuntimeException ignored) {
            // best effort at shutdown
        }
    }

    static Path jar(Path root, String service) {
        return root.resolve(service)
                .resolve("target/quarkus-app/quarkus-run.jar")
                .toAbsolutePath();
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The cluster the local stack makes the default compute when {@code EBBTIDE_DEFAULT_COMPUTE} names none. */
    public static final String LOCAL_DEFAULT_COMPUTE = "cpu-cluster";

    /** The variable of {@code ./ebbtide up} that limits the local capacity per VM size ({@link #localCapacity}). */
    public static final String LOCAL_CAPACITY_ENV = "EBBTIDE_LOCAL_CAPACITY";

    /**
     * {@code EBBTIDE_LOCAL_CAPACITY=Standard_DS4_v2=3,Standard_NC6s_v3=2} as the provisioner's
     * {@code ebbtide.local.capacity.<size>} settings (an environment variable cannot keep a size's case itself).
     *
     * @throws IllegalArgumentException (one sentence) for an entry that is not {@code <size>=<nodes>}
     */
    static Map<String, String> localCapacity(Map<String, String> env) {
        String value = env.get(LOCAL_CAPACITY_ENV);
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        for (String entry : value.split(",")) {
            String[] kv = entry.strip().split("=");
            if (kv.length != 2 || kv[0].isBlank() || !kv[1].strip().matches("\\d+")) {
                throw new IllegalArgumentException(LOCAL_CAPACITY_ENV + " entry '" + entry.strip()
                        + "' must be <VM size>=<nodes>, e.g. Standard_DS4_v2=3");
            }
            out.put("provisioner:ebbtide.local.capacity." + kv[0].strip(), kv[1].strip());
        }
        return out;
    }

    /**
     * The default compute of {@code ./ebbtide up}, so that jobs without a {@code compute:} line run with no edit, as
     * on Azure ML: {@value #LOCAL_DEFAULT_COMPUTE} when the clusters folder defines it and {@code
     * EBBTIDE_DEFAULT_COMPUTE} is not set (the services read that variable themselves); set on the job-submitter and
     * the scheduler only (the other services refuse settings they do not define).
     */
    static Map<String, String> localDefaultCompute(Path clustersDir, Map<String, String> env) {
        String given = env.get("EBBTIDE_DEFAULT_COMPUTE");
        if (given != null && !given.isBlank() || !Files.exists(clustersDir.resolve(LOCAL_DEFAULT_COMPUTE + ".yml"))) {
            return Map.of();
        }
        return Map.of(
                "job-submitter:" + DefaultCompute.KEY,
                LOCAL_DEFAULT_COMPUTE,
                "scheduler:" + DefaultCompute.KEY,
                LOCAL_DEFAULT_COMPUTE);
    }

    /**
     * {@code ./ebbtide up [--listen-all] [--replicas N]}: starts the stack on the default ports ({@link StackInstance}
     * for instances 2..N), writes {@code <state>/run/pids}, {@code <state>/run/instances} and {@code <state>/run/ready},
     * prints where each service instance listens, and runs until stopped.
     */
    public static void main(String[] args) throws Exception {
        List<String> argList = List.of(args);
        int replicas = replicasArgument(argList);
        boolean listenAll = argList.contains("--listen-all") || "1".equals(System.getenv("EBBTIDE_LISTEN_ALL"));
        Path root = Path.of(args.length > 0 && !args[0].startsWith("--") ? args[0] : ".")
                .toAbsolutePath()
                .normalize();
        Path state = root.resolve(".ebbtide");
        Path run = state.resolve("run");
        Files.createDirectories(run);
        Files.deleteIfExists(run.resolve("ready"));
        LocalAgents.stopAll(state.resolve("work").resolve("nodes"), Duration.ofSeconds(5)); // left by a crashed stack
        LocalAgents.stopAll(attachedDir(state), Duration.ofSeconds(5));
        int kafkaPort = Integer.parseInt(System.getenv().getOrDefault("EBBTIDE_KAFKA_PORT", "19092"));
        int pgPort = Integer.parseInt(System.getenv().getOrDefault("EBBTIDE_POSTGRES_PORT", "15432"));
        Map<String, String> defaults =
                new java.util.LinkedHashMap<>(localDefaultCompute(root.resolve("clusters"), System.getenv()));
        defaults.putAll(localCapacity(System.getenv()));
        ensureExamplePackages();
        LocalStack stack = start(new Options(
                root, state, kafkaPort, pgPort, false, root.resolve("clusters"), defaults, true, listenAll, replicas));
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "stop-stack"));
        String console = stack.startConsole(CONSOLE_PORT);
        StringBuilder pids =
                new StringBuilder("stack " + ProcessHandle.current().pid() + "\n");
        stack.instancePids()
                .forEach((s, pid) -> pids.append(s).append(' ').append(pid).append('\n'));
        pids.append("console ").append(stack.console.pid()).append('\n');
        ProcessHandle.current()
                .descendants()
                .filter(h -> h.info().command().orElse("").endsWith("postgres"))
                .forEach(h -> pids.append("postgres ").append(h.pid()).append('\n'));
        Files.writeString(run.resolve("pids"), pids.toString());
        StringBuilder ready = new StringBuilder();
        ready.append(String.format("  %-14s %s%n", "kafka", stack.bootstrapServers()));
        ready.append(String.format("  %-14s %s%n", "postgresql", stack.postgresUrl()));
        for (StackInstance i : stack.instances()) {
            String s = replicas == 1 ? i.service() : i.name(); // one instance: named as before there were several
            String url = stack.url(i.name());
            ready.append(String.format(
                    "  %-14s %s   (health %s/q/health, metrics %s/q/metrics, OpenAPI %s/q/openapi)%n",
                    s, url, url, url, url));
        }
        ready.append(String.format(
                "  %-14s %s   (web console: log in with a token from ./ebbtide token --role ...)%n",
                "console", console));
        if (!defaults.isEmpty()) {
            ready.append(String.format(
                    "  %-14s %s (jobs without compute: go there; EBBTIDE_DEFAULT_COMPUTE to change)%n",
                    "default compute", defaults.get("scheduler:" + DefaultCompute.KEY)));
        }
        ready.append(String.format("  %-14s %s%n", "logs", state.resolve("logs")));
        ready.append(String.format(
                "  %-14s ./ebbtide token --role viewer|submitter|operator [--team NAME]   (key in %s)%n",
                "tokens", state.resolve("keys")));
        ready.append(String.format(
                "  %-14s %s (SASL/SCRAM; Kafka client settings per principal: kafka-*.properties)%n",
                "credentials", stack.secretsDir()));
        ready.append(String.format(
                "  %-14s echo '{}' | kcat -F %s -P -t %s -k cpu-cluster%n",
                "kcat",
                root.relativize(stack.secretsDir().resolve("kcat-producer.conf")),
                Topics.PRODUCER_SUBMISSIONS));
        ready.append(String.format(
                "  %-14s %s%n",
                "listening on",
                listenAll
                        ? "every interface (--listen-all)"
                        : "127.0.0.1 only (./ebbtide up --listen-all opens the services, Kafka and PostgreSQL)"));
        Files.writeString(run.resolve("ready"), ready.toString());
        System.out.print(ready);
        Thread.currentThread().join();
    }

    /** {@code --replicas N} (default 1), with a one-sentence error for anything but a whole number from 1 to 9. */
    static int replicasArgument(List<String> args) {
        int at = args.indexOf("--replicas");
        if (at < 0) {
            return 1;
        }
        String value = at + 1 < args.size() ? args.get(at + 1) : "";
        if (!value.matches("[1-9]")) {
            throw new IllegalArgumentException(
                    "--replicas needs a whole number of instances per service from 1 to 9, got '" + value + "'");
        }
        return Integer.parseInt(value);
    }
}
