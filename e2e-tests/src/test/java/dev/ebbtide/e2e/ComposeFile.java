package dev.ebbtide.e2e;

import static dev.ebbtide.e2e.RepoConfig.environment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * docker-compose.yml as compose reads it: YAML anchors and merge keys ({@code <<: *template}) resolved, top-level
 * {@code x-*} templates ignored. Knows the file's shape: the instances of each Ebbtide service
 * ({@code <service>-<n>}, with {@code EBBTIDE_INSTANCE}), the Kafka nodes and the topic-creating one-shot.
 */
final class ComposeFile {
    static final String PATH = "docker-compose.yml";
    private static final Pattern INSTANCE = Pattern.compile("(.+)-(\\d+)");

    final JsonNode root;
    final JsonNode services;

    private ComposeFile(JsonNode root) {
        this.root = root;
        this.services = root.path("services");
    }

    static ComposeFile read() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false); // compose refuses them too
        try (Reader r = Files.newBufferedReader(RepoConfig.composeFile())) {
            Object tree = new Yaml(new SafeConstructor(options)).load(r);
            return new ComposeFile(new ObjectMapper().valueToTree(tree));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RepoConfig.composeFile(), e);
        }
    }

    JsonNode service(String name) {
        return services.path(name);
    }

    List<String> serviceNames() {
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The compose services that run {@code service} (built from ./service and named by EBBTIDE_INSTANCE), by name. */
    List<String> instances(String service) {
        return serviceNames().stream()
                .filter(n -> environment(service(n)).containsKey("EBBTIDE_INSTANCE"))
                .filter(n -> service.equals(module(n)))
                .sorted()
                .toList();
    }

    /** The module a compose service is built from ({@code build.context} ./x → x), or empty. */
    String module(String name) {
        JsonNode build = service(name).path("build");
        String context =
                build.isTextual() ? build.asText() : build.path("context").asText("");
        return context.replaceFirst("^\\./", "").replaceFirst("/$", "");
    }

    /** The instance number of {@code <service>-<n>}, or empty when the name has another form. */
    static Optional<Integer> number(String instance, String service) {
        Matcher m = INSTANCE.matcher(instance);
        return m.matches() && m.group(1).equals(service) ? Optional.of(Integer.valueOf(m.group(2))) : Optional.empty();
    }

    /** Every instance of every service in {@code names}. */
    List<String> instancesOf(List<String> names) {
        return names.stream().flatMap(s -> instances(s).stream()).toList();
    }

    /** The name and network aliases under which other containers reach {@code name}. */
    Set<String> hostNames(String name) {
        Set<String> hosts = new LinkedHashSet<>();
        hosts.add(name);
        service(name).path("networks").forEach(net -> net.path("aliases").forEach(a -> hosts.add(a.asText())));
        return hosts;
    }

    /** Kafka nodes: services whose KAFKA_PROCESS_ROLES include broker. */
    List<String> brokers() {
        return serviceNames().stream()
                .filter(n -> environment(service(n))
                        .getOrDefault("KAFKA_PROCESS_ROLES", "")
                        .contains("broker"))
                .toList();
    }

    /** The one-shot service that creates the topics (the one with EBBTIDE_TOPICS). */
    Optional<String> topicInit() {
        return serviceNames().stream()
                .filter(n -> environment(service(n)).containsKey("EBBTIDE_TOPICS"))
                .findFirst();
    }
}
