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
import java.util.concurrent.TimeUnit;

/**
 * Runs compose's kafka-init script as compose would ({@code $$} → {@code $}, its environment, {@code bash -c}) with
 * {@code kafka-topics.sh} replaced by a stub that records its arguments, and returns the topics it would create.
 */
final class KafkaInitScript {
    static final String KAFKA_TOPICS = "/opt/kafka/bin/kafka-topics.sh";

    record Created(
            String topic, int partitions, String replicationFactor, Map<String, String> configs, String bootstrap) {}

    private KafkaInitScript() {}

    /** Topic → how kafka-init creates it; what cannot be run or read is added to {@code problems}. */
    static Map<String, Created> run(JsonNode service, List<String> problems) throws Exception {
        String script = script(service, problems);
        Map<String, Created> created = new LinkedHashMap<>();
        if (script == null) {
            return created;
        }
        if (script.replace("$$", "").contains("$")) {
            problems.add(
                    ComposeFile.PATH + ": kafka-init's script has a single '$': compose would replace it with a host "
                            + "variable; write $$ for the shell's");
        }
        if (!script.contains(KAFKA_TOPICS)) {
            problems.add(ComposeFile.PATH + ": kafka-init's script does not call " + KAFKA_TOPICS);
            return created;
        }
        Path dir = Files.createTempDirectory("kafka-init");
        Path calls = dir.resolve("calls");
        Path stub = dir.resolve("kafka-topics.sh");
        Files.writeString(
                stub,
                "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >> '" + calls + "'\necho '--end--' >> '"
                        + calls + "'\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));
        ProcessBuilder pb =
                new ProcessBuilder("bash", "-c", script.replace("$$", "$").replace(KAFKA_TOPICS, stub.toString()));
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().putAll(environment(service));
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("output").toFile());
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            problems.add(ComposeFile.PATH + ": kafka-init's script failed: " + Files.readString(dir.resolve("output")));
            return created;
        }
        List<String> call = new ArrayList<>();
        for (String line : Files.exists(calls) ? Files.readAllLines(calls) : List.<String>of()) {
            if (!line.equals("--end--")) {
                call.add(line);
                continue;
            }
            if (call.contains("--create")) {
                Created c = parse(call);
                if (created.put(c.topic(), c) != null) {
                    problems.add(ComposeFile.PATH + ": kafka-init creates " + c.topic() + " twice");
                }
            }
            call = new ArrayList<>();
        }
        return created;
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
