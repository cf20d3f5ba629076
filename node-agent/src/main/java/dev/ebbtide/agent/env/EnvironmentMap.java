package dev.ebbtide.agent.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ebbtide.common.job.JobEnvironment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What a node runs for a job's {@code environment:}, decided in one place and never silently. Pure: the imported
 * images are looked up through a function.
 *
 * <ol>
 *   <li>an image environment whose image is imported on the node ({@code ./ebbtide image import}) runs in that
 *       image's root filesystem;
 *   <li>else the first rule of the node's mapping file whose {@code match} pattern fits the environment's key
 *       ({@code image:<normalized reference>}, the name as written, or {@code build:<path>}) says what runs;
 *   <li>a job without {@code environment:} runs on the node's own system;
 *   <li>else, on a node whose runtime runs containers ({@code runtime=docker}), an {@code image:} environment runs in
 *       that image's container, pulled at staging;
 *   <li>anything else is {@link Resolution.Unavailable} with one sentence naming the environment.
 * </ol>
 */
public final class EnvironmentMap {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> RULE_FIELDS =
            Set.of("match", "runtime", "image", "python", "packages", "conda_file");

    /** A rule of the mapping file. */
    public record Rule(
            String match, String runtime, String image, String python, List<String> packages, boolean ignoreConda) {
        public Rule {
            packages = packages == null ? List.of() : List.copyOf(packages);
        }
    }

    /** What runs the job. */
    public sealed interface Resolution {
        /**
         * The node's own system. {@code python} (nullable) is what {@code python} and {@code python3} run;
         * {@code packages} are Debian packages the rule needs (the agent checks they are installed).
         */
        record Host(String python, List<String> packages, String why) implements Resolution {}

        /** An imported image's root filesystem. */
        record Image(ImportedImage image, String why) implements Resolution {}

        /** The image's container ({@code runtime=docker}); {@code image} is the normalized reference. */
        record Container(String image, String why) implements Resolution {}

        /** The node cannot provide the environment: the sentence says why and what to do. */
        record Unavailable(String sentence) implements Resolution {}
    }

    private final List<Rule> rules;

    public EnvironmentMap(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public List<Rule> rules() {
        return rules;
    }

    /**
     * Reads a mapping file: a YAML list of rules {@code {match, runtime: host|image, image, python, packages,
     * conda_file: ignore|refuse}}.
     *
     * @throws IllegalArgumentException with one sentence naming the rule and the field
     */
    public static EnvironmentMap parse(String yaml) {
        JsonNode doc;
        try {
            doc = YAML.readTree(yaml == null ? "" : yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException("the environment mapping is not valid YAML: " + e.getMessage());
        }
        if (doc == null || doc.isMissingNode() || doc.isNull()) {
            return new EnvironmentMap(List.of());
        }
        if (!doc.isArray()) {
            throw new IllegalArgumentException("the environment mapping must be a list of rules (- match: ...)");
        }
        List<Rule> rules = new ArrayList<>();
        int i = 0;
        for (JsonNode r : doc) {
            i++;
            String where = "rule " + i + " of the environment mapping";
            if (!r.isObject()) {
                throw new IllegalArgumentException(where + " must be a mapping with match and runtime");
            }
            for (Map.Entry<String, JsonNode> f : (Iterable<Map.Entry<String, JsonNode>>) r::fields) {
                if (!RULE_FIELDS.contains(f.getKey())) {
                    throw new IllegalArgumentException(where + " has an unknown field '" + f.getKey() + "' (known: "
                            + String.join(", ", RULE_FIELDS.stream().sorted().toList()) + ")");
                }
            }
            String match = r.path("match").asText("");
            String runtime = r.path("runtime").asText("");
            if (match.isBlank()) {
                throw new IllegalArgumentException(where + " has no match pattern");
            }
            if (!runtime.equals("host") && !runtime.equals("image")) {
                throw new IllegalArgumentException(
                        where + " must say runtime: host or runtime: image, got '" + runtime + "'");
            }
            if (runtime.equals("image") && r.path("image").asText("").isBlank()) {
                throw new IllegalArgumentException(where + " has runtime: image but names no image");
            }
            String conda = r.path("conda_file").asText("refuse");
            if (!conda.equals("refuse") && !conda.equals("ignore")) {
                throw new IllegalArgumentException(
                        where + " must say conda_file: ignore or refuse, got '" + conda + "'");
            }
            List<String> packages = new ArrayList<>();
            r.path("packages").forEach(p -> packages.add(p.asText()));
            rules.add(new Rule(
                    match,
                    runtime,
                    r.hasNonNull("image") ? r.get("image").asText() : null,
                    r.hasNonNull("python") ? r.get("python").asText() : null,
                    packages,
                    conda.equals("ignore")));
        }
        return new EnvironmentMap(rules);
    }

    /** The key rules match against: {@code image:<normalized>}, the name as written, or {@code build:<path>}. */
    public static String key(JobEnvironment env) {
        if (env.image() != null) {
            try {
                return "image:" + ImageName.normalize(env.image());
            } catch (IllegalArgumentException e) {
                return "image:" + env.image();
            }
        }
        return env.name() != null ? env.name() : "build:" + env.buildPath();
    }

    /**
     * Decides what runs a job.
     *
     * @param env    the job's environment, or null
     * @param images the node's imported images by reference
     * @param node   the node's name, for sentences
     */
    public Resolution resolve(JobEnvironment env, Function<String, Optional<ImportedImage>> images, String node) {
        return resolve(env, images, node, false);
    }

    /**
     * As above; {@code containers}: the node runs image environments neither imported nor mapped in their container
     * (the agent's {@code runtime=docker}).
     */
    public Resolution resolve(
            JobEnvironment env, Function<String, Optional<ImportedImage>> images, String node, boolean containers) {
        if (env == null) {
            return new Resolution.Host(null, List.of(), "no environment given: the node's own system");
        }
        if (env.image() != null && env.condaFile() == null) {
            Optional<ImportedImage> imported = images.apply(env.image());
            if (imported.isPresent()) {
                return new Resolution.Image(
                        imported.get(), "image " + imported.get().name() + " imported on the node");
            }
        }
        String key = key(env);
        for (Rule rule : rules) {
            if (!glob(rule.match()).matcher(key).matches()) {
                continue;
            }
            if (env.condaFile() != null && !rule.ignoreConda()) {
                return new Resolution.Unavailable("the job's " + env.describe() + " cannot run on node " + node
                        + ": this node does not build conda environments, and the mapping rule '" + rule.match()
                        + "' does not say conda_file: ignore");
            }
            String why = "mapped by the rule '" + rule.match() + "'";
            if (rule.runtime().equals("host")) {
                return new Resolution.Host(rule.python(), rule.packages(), why);
            }
            Optional<ImportedImage> imported = images.apply(rule.image());
            return imported.<Resolution>map(i -> new Resolution.Image(i, why))
                    .orElseGet(() -> new Resolution.Unavailable("the job's " + env.describe() + " is mapped to image "
                            + rule.image() + ", which is not imported on node " + node
                            + " (./ebbtide image import NAME FILE.tar)"));
        }
        if (containers && env.image() != null) {
            if (env.condaFile() != null) {
                return new Resolution.Unavailable("the job's " + env.describe() + " cannot run on node " + node
                        + ": this node runs images in docker but does not build conda environments on top of them;"
                        + " build an image with the conda environment in it and name that image");
            }
            try {
                String ref = ImageName.docker(env.image());
                return new Resolution.Container(ref, "image " + ref + " in its container (runtime=docker)");
            } catch (IllegalArgumentException e) {
                return new Resolution.Unavailable(
                        "the job's " + env.describe() + " cannot run on node " + node + ": " + e.getMessage());
            }
        }
        String hint = env.image() != null
                ? "import the image with ./ebbtide image import " + env.image() + " FILE.tar, or map it"
                : "map it";
        return new Resolution.Unavailable("the job's " + env.describe() + " is not available on node " + node + ": "
                + hint + " in the node's environment mapping (docs/environments.md)");
    }

    /** {@code *} matches any run of characters, everything else itself. */
    static Pattern glob(String pattern) {
        List<String> parts = new ArrayList<>();
        for (String part : pattern.split("\\*", -1)) {
            parts.add(Pattern.quote(part));
        }
        return Pattern.compile(String.join(".*", parts));
    }
}
