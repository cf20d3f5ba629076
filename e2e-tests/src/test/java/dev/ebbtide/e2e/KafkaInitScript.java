package dev.ebbtide.e2e;

import static dev.ebbtide.e2e.RepoConfig.environment;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Runs compose's kafka-init script as compose would ({@code $$} → {@code $}, its environment, {@code bash -c}, its
 * secrets at {@code /run/secrets/} taken from a directory {@link dev.ebbtide.devsupport.ComposeSecrets} wrote) with
 * {@code kafka-topics.sh}, {@code kafka-configs.sh} and {@code kafka-acls.sh} replaced by stubs that record their
 * arguments, and returns what it would create: topics, SCRAM credentials and ACLs.
 */
final class KafkaInitScript {
    static final String KAFKA_TOPICS = "/opt/kafka/bin/kafka-topics.sh";
    static final String KAFKA_CONFIGS = "/opt/kafka/bin/kafka-configs.sh";
    static final String KAFKA_ACLS = "/opt/kafka/bin/kafka-acls.sh";
    private static final List<String> TOOLS = List.of(KAFKA_TOPICS, KAFKA_CONFIGS, KAFKA_ACLS);
    private static final Pattern SCRAM = Pattern.compile("SCRAM-SHA-256=\\[iterations=(\\d+),password=([^\\]]*)]");

    record Created(
            String topic, int partitions, String replicationFactor, Map<String, String> configs, String bootstrap) {}

    /** One run's calls: topic → creation, principal → SCRAM password, the ACLs granted, the admin settings file. */
    record Result(
            Map<String, Created> topics,
            Map<String, String> scramPasswords,
            List<AclBinding> acls,
            Set<String> commandConfigs) {}

    private KafkaInitScript() {}

    /** Topic → how kafka-init creates it, with fresh secrets; what cannot be run or read goes to {@code problems}. */
    static Map<String, Created> run(JsonNode service, List<String> problems) throws Exception {
        Path secrets = Files.createTempDirectory("compose-secrets");
        return run(service, ComposeSecretFiles.write(secrets), problems).topics();
    }

    /** Everything kafka-init does, with {@code /run/secrets/} read from {@code secrets}. */
    static Result run(JsonNode service, Path secrets, List<String> problems) throws Exception {
        String script = script(service, problems);
        Result result = new Result(new LinkedHashMap<>(), new LinkedHashMap<>(), new ArrayList<>(), new TreeSet<>());
        if (script == null) {
            return result;
        }
        if (script.replace("$$", "").contains("$")) {
            problems.add(
                    ComposeFile.PATH + ": kafka-init's script has a single '$': compose would replace it with a host "
                            + "variable; write $$ for the shell's");
        }
        for (String tool : TOOLS) {
            if (!script.contains(tool)) {
                problems.add(ComposeFile.PATH + ": kafka-init's script does not call " + tool);
                return result;
            }
        }
        Path dir = Files.createTempDirectory("kafka-init");
        Path calls = dir.resolve("calls");
        String run = script.replace("$$", "$");
        for (String tool : TOOLS) {
            String name = tool.substring(tool.lastIndexOf('/') + 1);
            Path stub = dir.resolve(name);
            Files.writeString(
                    stub,
                    "#!/bin/sh\nprintf '%s\\n' '" + name + "' >> '" + calls + "'\nfor a in \"$@\"; do printf '%s\\n' "
                            + "\"$a\"; done >> '" + calls + "'\necho '--end--' >> '" + calls + "'\n");
            Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));
            run = run.replace(tool, stub.toString());
        }
        String secretsDir = secrets.toAbsolutePath() + "/";
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", run.replace(ComposeSecretFiles.MOUNT, secretsDir));
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        environment(service)
                .forEach((k, v) -> pb.environment().put(k, v.replace(ComposeSecretFiles.MOUNT, secretsDir)));
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("output").toFile());
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            problems.add(ComposeFile.PATH + ": kafka-init's script failed: " + Files.readString(dir.resolve("output")));
            return result;
        }
        List<String> call = new ArrayList<>();
        for (String line : Files.exists(calls) ? Files.readAllLines(calls) : List.<String>of()) {
            if (!line.equals("--end--")) {
                call.add(line);
                continue;
            }
            String tool = call.remove(0);
            Map<String, String> options = options(call);
            if (options.containsKey("--command-config")) {
                result.commandConfigs()
                        .add(options.get("--command-config").replace(secretsDir, ComposeSecretFiles.MOUNT));
            }
            switch (tool) {
                case "kafka-topics.sh" -> {
                    if (call.contains("--create")) {
                        Created c = parse(call);
                        if (result.topics().put(c.topic(), c) != null) {
                            problems.add(ComposeFile.PATH + ": kafka-init creates " + c.topic() + " twice");
                        }
                    }
                }
                case "kafka-configs.sh" -> {
                    Matcher m = SCRAM.matcher(options.getOrDefault("--add-config", ""));
                    if ("users".equals(options.get("--entity-type")) && m.matches()) {
                        result.scramPasswords().put(options.get("--entity-name"), m.group(2));
                    } else {
                        problems.add(
                                ComposeFile.PATH + ": kafka-init calls kafka-configs.sh " + redact(call)
                                        + ": expected --entity-type users --add-config SCRAM-SHA-256=[iterations=N,password=P]");
                    }
                }
                case "kafka-acls.sh" -> {
                    if (call.contains("--add")) {
                        result.acls().add(acl(options, problems));
                    }
                }
                default -> throw new IllegalStateException(tool);
            }
            call = new ArrayList<>();
        }
        return result;
    }

    private static AclBinding acl(Map<String, String> o, List<String> problems) {
        ResourceType type = o.containsKey("--topic")
                ? ResourceType.TOPIC
                : o.containsKey("--group") ? ResourceType.GROUP : ResourceType.UNKNOWN;
        String name = o.getOrDefault("--topic", o.get("--group"));
        if (type == ResourceType.UNKNOWN || !o.containsKey("--allow-principal")) {
            problems.add(ComposeFile.PATH + ": kafka-init calls kafka-acls.sh --add with " + o.keySet()
                    + ": expected --allow-principal User:P --operation O --resource-pattern-type T --topic|--group N");
        }
        return new AclBinding(
                new ResourcePattern(
                        type,
                        name,
                        PatternType.fromString(o.getOrDefault("--resource-pattern-type", "literal")
                                .toUpperCase())),
                new AccessControlEntry(
                        o.getOrDefault("--allow-principal", ""),
                        "*",
                        AclOperation.fromString(
                                o.getOrDefault("--operation", "unknown").toUpperCase()),
                        AclPermissionType.ALLOW));
    }

    /** The arguments with every SCRAM password replaced, for messages. */
    private static String redact(List<String> call) {
        return String.join(" ", call).replaceAll("password=[^,\\]]*", "password=…");
    }

    private static Map<String, String> options(List<String> args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.size() - 1; i++) {
            String a = args.get(i);
            if (a.startsWith("--") && !args.get(i + 1).startsWith("--")) {
                options.put(a, args.get(++i));
            }
        }
        return options;
    }

    private static String script(JsonNode service, List<String> problems) {
        JsonNode entrypoint = service.path("entrypoint");
        JsonNode command = service.path("command");
        boolean bashC = entrypoint.isArray()
                && entrypoint.size() == 2
                && entrypoint.get(1).asText().equals("-c")
                && entrypoint.get(0).asText().endsWith("bash");
        if (!bashC || !command.isArray() || command.size() != 1) {
            problems.add(
                    ComposeFile.PATH + ": kafka-init must be entrypoint [\"/bin/bash\", \"-c\"] with its script as "
                            + "the one command item (ComposeKafkaClusterTest runs it)");
            return null;
        }
        return command.get(0).asText();
    }

    private static Created parse(List<String> args) {
        Map<String, String> configs = new HashMap<>();
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.size() - 1; i++) {
            String a = args.get(i);
            if (a.equals("--config")) {
                String[] kv = args.get(++i).split("=", 2);
                configs.put(kv[0], kv.length > 1 ? kv[1] : "");
            } else if (a.startsWith("--") && !args.get(i + 1).startsWith("--")) {
                options.put(a, args.get(++i));
            }
        }
        return new Created(
                options.get("--topic"),
                Integer.parseInt(options.getOrDefault("--partitions", "-1")),
                options.get("--replication-factor"),
                configs,
                options.getOrDefault("--bootstrap-server", ""));
    }
}
