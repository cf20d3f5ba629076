package dev.ebbtide.e2e;

import static dev.ebbtide.e2e.RepoConfig.SERVICES;
import static dev.ebbtide.e2e.RepoConfig.envName;
import static dev.ebbtide.e2e.RepoConfig.propertiesPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/configuration.md honest: every {@code ebbtide.*} key a service sets in its application.properties or
 * reads in its code ({@code @ConfigProperty}, {@code ${ebbtide...}} expressions, {@code @ConfigMapping} interfaces)
 * has a row there with its env-var form and the default a user gets, and that default is written once per service
 * (the service's {@code @ConfigMapping}; not again in its application.properties or a {@code ${key:default}}).
 * A mapping's groups may be interfaces of their own files in the same module ({@code TeamsConfig teams();}).
 */
class ConfigurationDocTest {
    private static final String DOC = "docs/configuration.md";

    private static final Pattern CONFIG_PROPERTY = Pattern.compile(
            "@ConfigProperty\\s*\\(\\s*name\\s*=\\s*\"(ebbtide\\.[^\"]+)\"(?:\\s*,\\s*defaultValue\\s*=\\s*\"([^\"]*)\")?");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{(ebbtide\\.[A-Za-z0-9.\\-]+)(?::([^}]*))?}");
    private static final Pattern GET_VALUE = Pattern.compile("get(?:Optional)?Value\\s*\\(\\s*\"(ebbtide\\.[^\"]+)\"");
    private static final Pattern MAPPING = Pattern.compile(
            "@ConfigMapping\\s*\\(\\s*prefix\\s*=\\s*\"(ebbtide[^\"]*)\"[^)]*\\)" + "[^{]*?interface\\s+(\\w+)");
    private static final Pattern TOP_LEVEL_INTERFACE = Pattern.compile("(?m)^public interface\\s+\\w+");
    /** Tokens of an interface body: an interface opening, a closing brace, or an abstract method with annotations. */
    private static final Pattern MAPPING_TOKEN = Pattern.compile("interface\\s+(\\w+)[^{;]*\\{"
            + "|(})"
            + "|((?:@\\w+(?:\\s*\\([^)]*\\))?\\s+)*)([\\w.<>\\[\\], ?]+?)\\s+(\\w+)\\s*\\(\\s*\\)\\s*;");

    /** A key, where it was found, and the default there (null = none). */
    record Found(String key, String where, String defaultValue) {}

    static final Map<String, List<Found>> inProperties = new TreeMap<>();
    static final Map<String, List<Found>> inCode = new TreeMap<>();
    static String doc;

    @BeforeAll
    static void read() throws IOException {
        for (String s : SERVICES) {
            Map<String, String> plain = RepoConfig.plainProperties(s);
            RepoConfig.properties(s).forEach((k, v) -> {
                if (k.startsWith("ebbtide.")) {
                    // a %test value is no default: a user never gets it
                    inProperties
                            .computeIfAbsent(k, x -> new ArrayList<>())
                            .add(new Found(k, propertiesPath(s), plain.get(k)));
                }
            });
        }
        Path root = RepoConfig.root();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java")))
                    .sorted()
                    .toList()) {
                moduleKeys(root, module)
                        .forEach(found -> inCode.computeIfAbsent(found.key(), x -> new ArrayList<>())
                                .add(found));
            }
        }
        Path docFile = root.resolve(DOC);
        assertTrue(Files.isRegularFile(docFile), DOC + " is missing: add it (one row per setting)");
        doc = Files.readString(docFile);
    }

    @Test
    void everyEbbtideKeyIsDocumentedWithEnvFormAndDefault() {
        Map<String, List<Found>> all = new TreeMap<>();
        inCode.forEach((k, v) -> all.put(k, new ArrayList<>(v))); // copies: inCode's lists stay the code's
        inProperties.forEach(
                (k, v) -> all.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        assertTrue(
                !all.isEmpty(), "found no ebbtide.* keys at all: the patterns in this test no longer match the code");
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<Found>> e : all.entrySet()) {
            String key = e.getKey();
            String where = e.getValue().get(0).where();
            Optional<String> row =
                    doc.lines().filter(l -> l.startsWith("| `" + key + "` |")).findFirst();
            if (row.isEmpty()) {
                problems.add(
                        DOC + " has no table row for `" + key + "` (set or read in " + where + "): add one starting "
                                + "| `" + key + "` | `" + envName(key) + "` | with default, unit and meaning");
                continue;
            }
            if (!row.get().contains("`" + envName(key) + "`")) {
                problems.add(DOC + ": the row of `" + key + "` must show its env var `" + envName(key) + "`");
            }
            String expected = effectiveDefault(key);
            if (expected != null && !expected.isEmpty() && !row.get().contains("`" + expected + "`")) {
                problems.add(DOC + ": the row of `" + key + "` must show the default `" + expected + "` (from "
                        + defaultSource(key) + ")");
            }
        }
        report(problems);
    }

    @Test
    void everyEbbtideKeyInThePropertiesIsReadByCode() {
        // A key nobody reads is a typo or a leftover.
        List<String> problems = new ArrayList<>();
        inProperties.forEach((key, found) -> {
            if (!inCode.containsKey(key)) {
                problems.add(
                        found.get(0).where() + " sets " + key + " but no main source reads it (no @ConfigProperty, "
                                + "${...} or @ConfigMapping for it): fix the key or remove it, and its row in " + DOC);
            }
        });
        report(problems);
    }

    @Test
    void propertiesAndCodeAgreeOnDefaults() {
        List<String> problems = new ArrayList<>();
        inProperties.forEach((key, props) -> {
            for (Found code : inCode.getOrDefault(key, List.of())) {
                for (Found p : props) {
                    if (code.defaultValue() != null
                            && p.defaultValue() != null
                            && !code.defaultValue().equals(p.defaultValue())) {
                        problems.add(key + " defaults to '" + code.defaultValue() + "' in " + code.where() + " but to '"
                                + p.defaultValue() + "' in " + p.where() + ": make them equal, and the row in " + DOC);
                    }
                }
            }
        });
        report(problems);
    }

    @Test
    void eachDefaultIsWrittenOncePerService() {
        // one source of truth per service: the mapping's @WithDefault (or the one @ConfigProperty/expression), never
        // also application.properties or a ${key:default} beside the mapping
        Map<String, List<Found>> all = new TreeMap<>();
        inCode.forEach((k, v) -> all.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        inProperties.forEach(
                (k, v) -> all.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        List<String> problems = new ArrayList<>();
        all.forEach((key, found) -> {
            Map<String, List<Found>> byModule = new TreeMap<>();
            found.stream()
                    .filter(f -> f.defaultValue() != null)
                    .forEach(f -> byModule.computeIfAbsent(module(f.where()), x -> new ArrayList<>())
                            .add(f));
            byModule.forEach((module, defaults) -> {
                if (defaults.size() > 1) {
                    problems.add(key + " has its default written " + defaults.size() + " times in " + module + " ("
                            + String.join(
                                    ", ", defaults.stream().map(Found::where).toList())
                            + "): keep the one in the service's @ConfigMapping (@WithDefault) and write "
                            + "${" + key + "} without a default");
                }
            });
        });
        report(problems);
    }

    @Test
    void aKeyReadByTwoServicesHasOneDefault() {
        // e.g. ebbtide.teams.default-team: the job-submitter and the scheduler must agree on it
        List<String> problems = new ArrayList<>();
        inCode.forEach((key, found) -> {
            List<Found> defaults =
                    found.stream().filter(f -> f.defaultValue() != null).toList();
            if (defaults.stream().map(Found::defaultValue).distinct().count() > 1) {
                problems.add(key + " has different defaults: "
                        + String.join(
                                ", ",
                                defaults.stream()
                                        .map(f -> "'" + f.defaultValue() + "' in " + f.where())
                                        .toList()));
            }
        });
        report(problems);
    }

    @Test
    void everyServiceHasOneRootMapping() {
        List<String> problems = new ArrayList<>();
        for (String s : SERVICES) {
            Path java = RepoConfig.root().resolve(s).resolve("src/main/java");
            List<String> roots = new ArrayList<>();
            List<String> properties = new ArrayList<>();
            try (Stream<Path> files = Files.walk(java)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String code = withoutComments(Files.readString(f));
                    Matcher m = MAPPING.matcher(code);
                    while (m.find()) {
                        roots.add(m.group(2) + " (prefix " + m.group(1) + ")");
                    }
                    Matcher property = CONFIG_PROPERTY.matcher(code);
                    while (property.find()) {
                        properties.add(property.group(1) + " in " + f.getFileName());
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            boolean readsAny = inCode.values().stream()
                    .flatMap(List::stream)
                    .anyMatch(f -> f.where().startsWith(s + "/"));
            if (roots.isEmpty() && !readsAny) {
                continue; // a service with no ebbtide.* setting needs no mapping
            }
            if (roots.size() != 1 || !roots.get(0).endsWith("(prefix ebbtide)")) {
                problems.add(s + " must have exactly one @ConfigMapping(prefix = \"ebbtide\") with every ebbtide.* key "
                        + "it reads (nested groups), found " + roots);
            }
            if (!properties.isEmpty()) {
                problems.add(s + " reads " + properties + " with @ConfigProperty: read it from its @ConfigMapping");
            }
        }
        report(problems);
    }

    @Test
    void mappingParserReadsGroupsOfOtherFiles() {
        Map<String, String> keys = new TreeMap<>();
        keys(List.of(new Source("""
                                @ConfigMapping(prefix = "ebbtide")
                                public interface Root {
                                    TeamsConfig teams();
                                    @WithDefault("1s")
                                    Duration tick();
                                }
                                """, "m/Root.java"), new Source("""
                                /** A group. */
                                public interface TeamsConfig {
                                    @WithDefault("default")
                                    String defaultTeam();
                                }
                                """, "m/TeamsConfig.java")))
                .forEach(f -> keys.put(f.key(), f.defaultValue()));
        assertEquals(Map.of("ebbtide.teams.default-team", "default", "ebbtide.tick", "1s"), keys);
    }

    @Test
    void mappingParserReadsNestedGroupsAndDefaults() {
        Map<String, String> keys = new TreeMap<>();
        codeKeys("""
                @ConfigMapping(prefix = "ebbtide")
                public interface X {
                    /** {@code local} or {@code azure-vmss}. */
                    @WithDefault("local")
                    String provider();
                    Local local();
                    interface Local {
                        /** A comment. */
                        @WithDefault("lib/*")
                        String classPath();
                        @WithDefault("2s")
                        Duration bootDelay();
                        @WithName("dir")
                        Optional<Path> workDir();
                    }
                }
                """, "X.java").forEach(f -> keys.put(f.key(), f.defaultValue()));
        Map<String, String> expected = new TreeMap<>();
        expected.put("ebbtide.provider", "local");
        expected.put("ebbtide.local.class-path", "lib/*");
        expected.put("ebbtide.local.boot-delay", "2s");
        expected.put("ebbtide.local.dir", null);
        assertEquals(expected, keys);
    }

    /**
     * The source without comments; string literals are kept whole (a default such as {@code "lib/*"} is no comment).
     * The literal's pattern is unrolled with possessive runs: an alternation per character recursed once per
     * character and overflowed the stack on a long text block (the rendered cloud-init).
     */
    static String withoutComments(String source) {
        Matcher m = Pattern.compile("(?s)\"[^\"\\\\]*+(?:\\\\.[^\"\\\\]*+)*+\"|/\\*.*?\\*/|(?m)^\\s*//[^\n]*")
                .matcher(source);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, m.group().startsWith("\"") ? Matcher.quoteReplacement(m.group()) : "");
        }
        return m.appendTail(out).toString();
    }

    record Source(String code, String where) {}

    /** The module of a path such as {@code scheduler/src/main/...}. */
    private static String module(String where) {
        int slash = where.indexOf('/');
        return slash < 0 ? where : where.substring(0, slash);
    }

    /** Keys read by a module's main sources. */
    static List<Found> moduleKeys(Path root, Path module) throws IOException {
        List<Source> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                sources.add(new Source(Files.readString(f), root.relativize(f).toString()));
            }
        }
        return keys(sources);
    }

    /** Keys read by these source files of one module: a mapping's groups may be interfaces of other files. */
    static List<Found> keys(List<Source> sources) {
        Map<String, List<Member>> members = new LinkedHashMap<>();
        for (Source s : sources) {
            String code = withoutComments(s.code());
            if (MAPPING.matcher(code).find()
                    || TOP_LEVEL_INTERFACE.matcher(code).find()) {
                members(code).forEach(members::putIfAbsent);
            }
        }
        List<Found> found = new ArrayList<>();
        for (Source s : sources) {
            found.addAll(plainKeys(s.code(), s.where()));
            String code = withoutComments(s.code());
            Matcher mapping = MAPPING.matcher(code);
            if (mapping.find()) {
                collect(members, mapping.group(2), mapping.group(1), s.where(), found);
            }
        }
        return found;
    }

    /** Keys read by one source file. */
    static List<Found> codeKeys(String source, String where) {
        return keys(List.of(new Source(source, where)));
    }

    /** Keys named by {@code @ConfigProperty}, {@code ${...}} expressions and {@code getValue} in one file. */
    private static List<Found> plainKeys(String source, String where) {
        List<Found> found = new ArrayList<>();
        for (Pattern p : List.of(CONFIG_PROPERTY, EXPRESSION)) {
            Matcher m = p.matcher(source);
            while (m.find()) {
                found.add(new Found(m.group(1), where, m.group(2)));
            }
        }
        Matcher get = GET_VALUE.matcher(source);
        while (get.find()) {
            found.add(new Found(get.group(1), where, null));
        }
        return found;
    }

    private record Member(String type, String name, String defaultValue) {}

    /** The members of every interface (nested or not) of one file's code, by interface name. */
    private static Map<String, List<Member>> members(String code) {
        Map<String, List<Member>> members = new LinkedHashMap<>();
        List<String> stack = new ArrayList<>();
        Matcher t = MAPPING_TOKEN.matcher(code);
        while (t.find()) {
            if (t.group(1) != null) {
                stack.add(t.group(1));
                members.putIfAbsent(t.group(1), new ArrayList<>());
            } else if (t.group(2) != null) {
                if (!stack.isEmpty()) {
                    stack.remove(stack.size() - 1);
                }
            } else if (!stack.isEmpty()) {
                String annotations = t.group(3) == null ? "" : t.group(3);
                String name = annotationValue(annotations, "WithName").orElse(kebab(t.group(5)));
                String type = t.group(4).trim().replaceAll("^Optional<(.*)>$", "$1");
                members.get(stack.get(stack.size() - 1))
                        .add(new Member(
                                type,
                                name,
                                annotationValue(annotations, "WithDefault").orElse(null)));
            }
        }
        return members;
    }

    private static void collect(
            Map<String, List<Member>> members, String iface, String prefix, String where, List<Found> found) {
        for (Member m : members.getOrDefault(iface, List.of())) {
            if (members.containsKey(m.type())) {
                collect(members, m.type(), prefix + "." + m.name(), where, found);
            } else {
                found.add(new Found(prefix + "." + m.name(), where, m.defaultValue()));
            }
        }
    }

    private static Optional<String> annotationValue(String annotations, String name) {
        Matcher m =
                Pattern.compile("@" + name + "\\s*\\(\\s*\"([^\"]*)\"\\s*\\)").matcher(annotations);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** What a user gets without setting the key: application.properties if it sets it, else the code's default. */
    private static String effectiveDefault(String key) {
        if (inProperties.containsKey(key)) {
            return inProperties.get(key).get(0).defaultValue();
        }
        return inCode.getOrDefault(key, List.of()).stream()
                .map(Found::defaultValue)
                .filter(d -> d != null)
                .findFirst()
                .orElse(null);
    }

    private static String defaultSource(String key) {
        return inProperties.containsKey(key)
                ? inProperties.get(key).get(0).where()
                : inCode.get(key).get(0).where();
    }

    private static void report(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }
}
