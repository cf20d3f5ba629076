package dev.ebbtide.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.devsupport.LocalStack;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Reads the repository's configuration files for the consistency tests; no Quarkus, no network. */
final class RepoConfig {
    /** The four services, as the local stack starts them. */
    static final List<String> SERVICES = List.copyOf(LocalStack.SERVICES.keySet());

    private RepoConfig() {}

    static Path root() {
        return Path.of(System.getProperty("ebbtide.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
    }

    static Path propertiesFile(String service) {
        return root().resolve(service).resolve("src/main/resources/application.properties");
    }

    /** {@code service/src/main/resources/application.properties}, as a path to show in messages. */
    static String propertiesPath(String service) {
        return service + "/src/main/resources/application.properties";
    }

    /**
     * The service's properties without profile prefixes ({@code %test.x} counts as {@code x}); the value is the
     * one without a profile when there is one.
     */
    static Map<String, String> properties(String service) {
        Properties raw = new Properties();
        try (Reader r = Files.newBufferedReader(propertiesFile(service))) {
            raw.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> plain = new TreeMap<>();
        Map<String, String> profiled = new TreeMap<>();
        for (String key : raw.stringPropertyNames()) {
            if (key.startsWith("%")) {
                int dot = key.indexOf('.');
                profiled.putIfAbsent(key.substring(dot + 1), raw.getProperty(key));
            } else {
                plain.put(key, raw.getProperty(key));
            }
        }
        profiled.forEach(plain::putIfAbsent);
        return plain;
    }

    /** The service's properties without a profile ({@code %test.x} is left out): what a user gets. */
    static Map<String, String> plainProperties(String service) {
        Map<String, String> plain = new TreeMap<>(properties(service));
        Properties raw = new Properties();
        try (Reader r = Files.newBufferedReader(propertiesFile(service))) {
            raw.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        plain.keySet().retainAll(raw.stringPropertyNames());
        return plain;
    }

    /** Quarkus's environment-variable form: upper case, every non-alphanumeric character replaced by {@code _}. */
    static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    static Path composeFile() {
        return root().resolve("docker-compose.yml");
    }

    /** A compose service's {@code environment}, in either the map or the {@code NAME=value} list form. */
    static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode node = service.path("environment");
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(f -> env.put(
                            f.getKey(),
                            f.getValue().isNull() ? "" : f.getValue().asText()));
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                String s = item.asText();
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return env;
    }

    /** A compose service's {@code depends_on}: service name to condition ({@code service_started} for the list form). */
    static Map<String, String> dependsOn(JsonNode service) {
        Map<String, String> deps = new LinkedHashMap<>();
        JsonNode node = service.path("depends_on");
        if (node.isArray()) {
            node.forEach(n -> deps.put(n.asText(), "service_started"));
        } else if (node.isObject()) {
            node.fields()
                    .forEachRemaining(f ->
                            deps.put(f.getKey(), f.getValue().path("condition").asText("service_started")));
        }
        return deps;
    }

    /** Port mappings of a compose service as (published, target) pairs; published is null when not published. */
    record PortMapping(Integer published, int target, String spec) {}

    static List<PortMapping> ports(JsonNode service) {
        List<PortMapping> result = new ArrayList<>();
        for (JsonNode p : service.path("ports")) {
            if (p.isObject()) {
                JsonNode pub = p.path("published");
                result.add(new PortMapping(
                        pub.isMissingNode() ? null : Integer.valueOf(pub.asText()),
                        p.path("target").asInt(),
                        p.toString()));
            } else {
                String spec = p.asText();
                String noProto = spec.contains("/") ? spec.substring(0, spec.indexOf('/')) : spec;
                String[] parts = noProto.split(":");
                int target = Integer.parseInt(parts[parts.length - 1]);
                Integer published = parts.length >= 2 ? Integer.valueOf(parts[parts.length - 2]) : null;
                result.add(new PortMapping(published, target, spec));
            }
        }
        return result;
    }

    /** Volume mounts of a compose service. */
    record Mount(String source, String target, boolean readOnly) {}

    static List<Mount> volumes(JsonNode service) {
        List<Mount> result = new ArrayList<>();
        for (JsonNode v : service.path("volumes")) {
            if (v.isObject()) {
                result.add(new Mount(
                        v.path("source").asText(""),
                        v.path("target").asText(""),
                        v.path("read_only").asBoolean(false)));
            } else {
                String[] parts = v.asText().split(":");
                if (parts.length == 1) {
                    result.add(new Mount("", parts[0], false));
                } else {
                    result.add(new Mount(parts[0], parts[1], parts.length > 2 && parts[2].contains("ro")));
                }
            }
        }
        return result;
    }
}
