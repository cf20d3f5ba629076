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
 * has a row there with its env-var form and the default a user gets.
 */
class ConfigurationDocTest {
    private static final String DOC = "docs/configuration.md";

    private static final Pattern CONFIG_PROPERTY = Pattern.compile(
            "@ConfigProperty\\s*\\(\\s*name\\s*=\\s*\"(ebbtide\\.[^\"]+)\"(?:\\s*,\\s*defaultValue\\s*=\\s*\"([^\"]*)\")?");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{(ebbtide\\.[A-Za-z0-9.\\-]+)(?::([^}]*))?}");
    private static final Pattern GET_VALUE = Pattern.compile("get(?:Optional)?Value\\s*\\(\\s*\"(ebbtide\\.[^\"]+)\"");
    private static final Pattern MAPPING = Pattern.compile(
            "@ConfigMapping\\s*\\(\\s*prefix\\s*=\\s*\"(ebbtide[^\"]*)\"[^)]*\\)" + "[^{]*?interface\\s+(\\w+)");
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
            RepoConfig.properties(s).forEach((k, v) -> {
                if (k.startsWith("ebbtide.")) {
                    inProperties.computeIfAbsent(k, x -> new ArrayList<>()).add(new Found(k, propertiesPath(s), v));
                }
            });
        }
        Path root = RepoConfig.root();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java")))
                    .sorted()
                    .toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".java"))
                            .sorted()
                            .toList()) {
                        String where = root.relativize(f).toString();
                        codeKeys(Files.readString(f), where)
                                .forEach(found -> inCode.computeIfAbsent(found.key(), x -> new ArrayList<>())
                                        .add(found));
                    }
                }
            }
        }
        Path docFile = root.resolve(DOC);
        assertTrue(Files.isRegularFile(docFile), DOC + " is missing: add it (one row per setting)");
        doc = Files.readString(docFile);
    }

    @Test
    void everyEbbtideKeyIsDocumentedWithEnvFormAndDefault() {
        Map<String, List<Found>> all = new TreeMap<>(inCode);
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
                    if (code.defaultValue() != null && !code.defaultValue().equals(p.defaultValue())) {
                        problems.add(key + " defaults to '" + code.defaultValue() + "' in " + code.where() + " but to '"
                                + p.defaultValue() + "' in " + p.where() + ": make them equal, and the row in " + DOC);
                    }
                }
            }
        });
        report(problems);
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

    /** Keys read by one source file. */
    static List<Found> codeKeys(String source, String where) {
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
        String code = withoutComments(source);
        Matcher mapping = MAPPING.matcher(code);
        if (mapping.find()) {
            found.addAll(mappingKeys(code, mapping.group(1), mapping.group(2), where));
        }
        return found;
    }

    private record Member(String type, String name, String defaultValue) {}

    /** The leaf keys of a {@code @ConfigMapping} interface and its nested interfaces in the same file. */
    private static List<Found> mappingKeys(String code, String prefix, String rootInterface, String where) {
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
        List<Found> found = new ArrayList<>();
        collect(members, rootInterface, prefix, where, found);
        return found;
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
