package dev.ebbtide.devsupport;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files docker-compose.yml hands to its containers as compose {@code secrets:} (mounted at
 * {@code /run/secrets/<name>}), made from the local stack's passwords ({@link StackSecrets}: the same principals of
 * {@link KafkaAccess}, the same PostgreSQL password). Run by {@code ./ebbtide compose-secrets}; written into
 * {@code <secrets>/compose/}. Nothing here is printed or logged.
 *
 * <p>The directory is 0700 (only you reach the files through it) and each file 0444: the containers run as other
 * users (Kafka as 1000, the services as 185) and compose mounts a file secret as it is on disk, so they must be able
 * to read it.
 */
public final class ComposeSecrets {
    /** Where the files go, under the local stack's secrets directory. */
    public static final String DIR = "compose";

    public static final String KAFKA_BROKER = "kafka-broker.properties";
    public static final String KAFKA_ADMIN = "kafka-admin.properties";
    public static final String KAFKA_USERS = "kafka-users.properties";
    public static final String NODE_AGENT = "node-agent.properties";
    public static final String POSTGRES_PASSWORD = "postgres-password";
    public static final String GRAFANA_ADMIN_PASSWORD = "grafana-admin-password";
    /** Where compose mounts secrets in a container. */
    public static final String MOUNT = "/run/secrets/";

    private static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";

    private ComposeSecrets() {}

    /** The services that talk to Kafka, each with its own principal and so its own file. */
    public static List<String> services() {
        return LocalStack.SERVICES.keySet().stream()
                .filter(KafkaAccess.GRANTS::containsKey)
                .sorted()
                .toList();
    }

    /** Every file name this writes: what docker-compose.yml's top-level {@code secrets:} must list. */
    public static List<String> names() {
        List<String> names = new java.util.ArrayList<>(List.of(KAFKA_BROKER, KAFKA_ADMIN, KAFKA_USERS));
        services().forEach(s -> names.add(s + ".properties"));
        names.addAll(List.of(NODE_AGENT, POSTGRES_PASSWORD, GRAFANA_ADMIN_PASSWORD));
        return List.copyOf(names);
    }

    /**
     * Writes every file of {@link #names()} into {@code <secrets.dir()>/compose/} and returns that directory. The
     * Grafana admin password is generated once and kept in the same directory.
     */
    public static Path write(StackSecrets secrets) throws IOException {
        Path dir = secrets.dir().resolve(DIR);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        KafkaCredentials kafka = secrets.kafka();
        String broker = KafkaAccess.BROKER;

        // The brokers read the *.jaas keys through Kafka's FileConfigProvider (${file:...:key} in docker-compose.yml);
        // the client keys let the healthcheck and an operator's `kafka-*.sh --command-config` authenticate as the
        // broker.
        Map<String, String> b = new LinkedHashMap<>();
        b.put("security.protocol", "SASL_PLAINTEXT");
        b.put("sasl.mechanism", "PLAIN");
        b.put("sasl.jaas.config", plain(broker, kafka.password(broker), Map.of()));
        b.put("broker.plain.jaas", plain(broker, kafka.password(broker), kafka.passwords()));
        b.put("controller.plain.jaas", plain(broker, kafka.password(broker), Map.of(broker, kafka.password(broker))));
        write(dir.resolve(KAFKA_BROKER), b);

        // kafka-init: PLAIN as the admin (the SCRAM credentials do not exist yet when it starts), then it stores
        // every principal's SCRAM credential from kafka-users.properties.
        Map<String, String> admin = new LinkedHashMap<>();
        admin.put("security.protocol", "SASL_PLAINTEXT");
        admin.put("sasl.mechanism", "PLAIN");
        admin.put("sasl.jaas.config", plain(KafkaAccess.ADMIN, kafka.password(KafkaAccess.ADMIN), Map.of()));
        write(dir.resolve(KAFKA_ADMIN), admin);
        write(dir.resolve(KAFKA_USERS), new LinkedHashMap<>(new java.util.TreeMap<>(kafka.passwords())));

        for (String service : services()) {
            Map<String, String> p = new LinkedHashMap<>();
            kafka.clientConfig(KafkaAccess.GRANTS.get(service).principal())
                    .forEach((k, v) -> p.put("kafka." + k, (String) v));
            if (service.equals("scheduler")) {
                p.put("quarkus.datasource.password", secrets.postgresPassword());
            }
            if (service.equals("provisioner")) {
                p.put(LocalStack.AGENT_KAFKA_CONFIG, MOUNT + NODE_AGENT);
            }
            write(dir.resolve(service + ".properties"), p);
        }
        // the node agents get bootstrap.servers on their command line from the provisioner
        Map<String, String> agent = new LinkedHashMap<>();
        kafka.clientConfig(KafkaAccess.AGENT).forEach((k, v) -> agent.put("kafka." + k, (String) v));
        write(dir.resolve(NODE_AGENT), agent);

        writeRaw(dir.resolve(POSTGRES_PASSWORD), secrets.postgresPassword());
        Path grafana = dir.resolve(GRAFANA_ADMIN_PASSWORD);
        if (!Files.exists(grafana) || Files.readString(grafana).isBlank()) {
            writeRaw(grafana, KafkaCredentials.randomPassword());
        }
        return dir;
    }

    /** A PLAIN JAAS entry that logs in as {@code user} and, on a broker, accepts {@code accepted} (user → password). */
    static String plain(String user, String password, Map<String, String> accepted) {
        StringBuilder s =
                new StringBuilder(PLAIN_MODULE + " required username=\"" + user + "\" password=\"" + password + "\"");
        new java.util.TreeMap<>(accepted)
                .forEach((u, pw) ->
                        s.append(" user_").append(u).append("=\"").append(pw).append('"'));
        return s.append(';').toString();
    }

    private static void write(Path file, Map<String, String> values) throws IOException {
        StringBuilder text = new StringBuilder("# generated by ./ebbtide compose-secrets: passwords, do not share\n");
        values.forEach((k, v) -> {
            if (v.contains("\n") || v.contains("\\")) {
                throw new IllegalArgumentException("cannot write setting " + k + " to " + file);
            }
            text.append(k).append('=').append(v).append('\n');
        });
        writeRaw(file, text.toString());
    }

    /** Replaces {@code file}: created 0600 while written, then made 0444 (read by the containers' users). */
    private static void writeRaw(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(file)) {
            w.write(text);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    }

    /** {@code ComposeSecrets <secrets dir>}: writes the compose secrets from the passwords there (made if missing). */
    public static void main(String[] args) throws IOException {
        Path secretsDir = Path.of(args.length > 0 ? args[0] : ".ebbtide/secrets");
        Path dir = write(StackSecrets.loadOrCreate(secretsDir));
        System.out.println("Wrote docker-compose.yml's secrets to " + dir + " (" + names().size()
                + " files; the passwords are those of ./ebbtide up, in " + secretsDir.resolve("passwords.properties")
                + "). Now: docker compose up --build -d");
    }
}
