package dev.ebbtide.e2e;

import static dev.ebbtide.e2e.RepoConfig.SERVICES;
import static dev.ebbtide.e2e.RepoConfig.propertiesPath;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the ops files honest: every {@code ebbtide_*} metric that a panel (or a template variable) of
 * ops/grafana/ebbtide-dashboard.json queries must be registered with Micrometer somewhere in the four services' main
 * sources, under the name Prometheus shows for it, with the labels the query uses; and ops/prometheus.yml must scrape
 * each service's {@code /q/metrics} on its {@code quarkus.http.port}. The alerting rules of ops/alerts.yml are checked
 * like the panels. No network, no Prometheus: the sources are read
 * as text.
 *
 * <p>Prometheus names of a Micrometer meter (the registration name's dots become underscores): a counter
 * {@code x} or {@code x_total} is {@code x_total}; a gauge {@code x} is {@code x}; a timer {@code x} is
 * {@code x_seconds_count}, {@code x_seconds_sum}, {@code x_seconds_max} (and {@code x_seconds_bucket} with a
 * histogram), or without the added {@code _seconds} when {@code x} already ends in it; a distribution summary
 * {@code x} is {@code x_count}, {@code x_sum}, {@code x_max} ({@code x_bucket}).
 */
class DashboardMetricsTest {
    private static final String DASHBOARD = "ops/grafana/ebbtide-dashboard.json";
    private static final String PROMETHEUS = "ops/prometheus.yml";
    private static final String ALERTS = "ops/alerts.yml";
    private static final String METRICS_PATH = "/q/metrics";

    /** The start of a meter registration: {@code Counter.builder(}, {@code registry.counter(}, ... */
    private static final Pattern REGISTRATION = Pattern.compile(
            "\\b(Counter|FunctionCounter|Gauge|TimeGauge|Timer|FunctionTimer|LongTaskTimer|DistributionSummary)"
                    + "\\s*\\.\\s*builder\\s*\\("
                    + "|\\.\\s*(counter|gauge|gaugeCollectionSize|gaugeMapSize|timer|summary|longTaskTimer)\\s*\\(");

    private static final Pattern STRING_CONSTANT =
            Pattern.compile("static\\s+final\\s+String\\s+(\\w+)\\s*=\\s*\"([^\"]*)\"\\s*;");
    private static final Pattern STRING_LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern QUALIFIED_NAME = Pattern.compile("[A-Za-z_][\\w.]*");
    private static final Pattern CHAINED_CALL = Pattern.compile("\\G\\s*\\.\\s*(\\w+)\\s*\\(");

    private static final Pattern EBBTIDE_METRIC = Pattern.compile("\\bebbtide_[A-Za-z0-9_]+");
    private static final Pattern SELECTOR = Pattern.compile("\\b(ebbtide_[A-Za-z0-9_]+)\\s*\\{([^}]*)}");
    private static final Pattern MATCHER_LABEL = Pattern.compile("([A-Za-z_]\\w*)\\s*(?:=~|!~|!=|=)");
    private static final Pattern LABEL_LIST =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([A-Za-z_]\\w*)\\s*}}");
    private static final Pattern LABEL_VALUES = Pattern.compile(
            "label_values\\s*\\(\\s*(ebbtide_[A-Za-z0-9_]+)\\s*(?:\\{[^}]*})?\\s*,\\s*([A-Za-z_]\\w*)\\s*\\)");

    /** One registration site of a meter. Tags is null when they cannot be read from the source (e.g. a Tags object). */
    record Meter(String name, String kind, Set<String> tags, String where) {
        /** The series names Prometheus shows for this meter. */
        Set<String> exported() {
            String n = name.replace('.', '_').replace('-', '_');
            return switch (kind) {
                case "counter" -> Set.of((n.endsWith("_total") ? n.substring(0, n.length() - 6) : n) + "_total");
                case "timer" -> suffixed(n.endsWith("_seconds") ? n : n + "_seconds");
                case "summary" -> suffixed(n);
                default -> Set.of(n);
            };
        }

        private static Set<String> suffixed(String base) {
            return Set.of(base + "_count", base + "_sum", base + "_max", base + "_bucket");
        }
    }

    /** A PromQL expression of the dashboard and where it is, for messages. */
    record Query(String where, String expr, String legend) {}

    static final List<Meter> meters = new ArrayList<>();
    /** Prometheus series name to the meters that export it. */
    static final Map<String, List<Meter>> byExportedName = new TreeMap<>();

    static final List<Query> queries = new ArrayList<>();
    static JsonNode prometheus;
    /** Labels Prometheus adds to every series of a target: job, instance and the static_configs labels. */
    static final Set<String> targetLabels = new TreeSet<>(Set.of("job", "instance"));

    @BeforeAll
    static void read() throws IOException {
        Path root = RepoConfig.root();
        Map<String, String> constants = new LinkedHashMap<>();
        Map<Path, String> sources = new LinkedHashMap<>();
        for (String s : SERVICES) {
            Path main = root.resolve(s).resolve("src/main/java");
            if (!Files.isDirectory(main)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(main)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java"))
                        .sorted()
                        .toList()) {
                    String text = Files.readString(f);
                    sources.put(f, text);
                    Matcher c = STRING_CONSTANT.matcher(text);
                    while (c.find()) {
                        constants.putIfAbsent(c.group(1), c.group(2));
                    }
                }
            }
        }
        sources.forEach((file, text) -> scanRegistrations(root.relativize(file).toString(), text, constants));
        for (Meter m : meters) {
            m.exported()
                    .forEach(n -> byExportedName
                            .computeIfAbsent(n, k -> new ArrayList<>())
                            .add(m));
        }

        JsonNode dashboard = new ObjectMapper().readTree(root.resolve(DASHBOARD).toFile());
        collectPanels(dashboard.path("panels"));
        for (JsonNode v : dashboard.path("templating").path("list")) {
            JsonNode q = v.path("query");
            String expr = q.isObject() ? q.path("query").asText("") : q.asText("");
            if (v.path("type").asText().equals("query")) {
                queries.add(new Query("template variable '" + v.path("name").asText() + "'", expr, ""));
            }
        }

        // the alerting rules are held to the same standard as the panels
        for (JsonNode group :
                new YAMLMapper().readTree(root.resolve(ALERTS).toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                queries.add(new Query(
                        "(" + ALERTS + ") alert " + rule.path("alert").asText(),
                        rule.path("expr").asText(""),
                        ""));
            }
        }

        prometheus = new YAMLMapper().readTree(root.resolve(PROMETHEUS).toFile());
        for (JsonNode job : prometheus.path("scrape_configs")) {
            for (JsonNode sc : job.path("static_configs")) {
                sc.path("labels").fieldNames().forEachRemaining(targetLabels::add);
            }
        }
    }

    @Test
    void sourcesRegisterTheServicesMeters() {
        // guards the scanner itself: if it found nothing, every dashboard check below would be meaningless
        assertFalse(meters.isEmpty(), "no Micrometer registration found in the services' src/main/java");
        // a builder with a constant name (ProvisionerMetrics.CLOUD_ERRORS) and tags from .tag(...) calls
        assertTrue(
                Set.of("cluster", "error_class").equals(tags("ebbtide_provisioner_cloud_errors_total")),
                () -> "the scanner did not read ProvisionerMetrics.CLOUD_ERRORS and its tags; found " + meters);
        assertFalse(
                queries.stream().noneMatch(q -> EBBTIDE_METRIC.matcher(q.expr()).find()),
                DASHBOARD + " has no panel expression with an ebbtide_* metric");
    }

    @Test
    void everyDashboardMetricIsRegistered() {
        List<String> problems = new ArrayList<>();
        for (Query q : queries) {
            Matcher m = EBBTIDE_METRIC.matcher(q.expr());
            Set<String> reported = new LinkedHashSet<>();
            while (m.find()) {
                String metric = m.group();
                if (!byExportedName.containsKey(metric) && reported.add(metric)) {
                    problems.add(DASHBOARD + ": " + q.where() + " uses " + metric + ", which no service registers"
                            + hint(metric));
                }
            }
        }
        report(problems);
    }

    @Test
    void everyDashboardLabelIsATagOfItsMetric() {
        List<String> problems = new ArrayList<>();
        for (Query q : queries) {
            Matcher s = SELECTOR.matcher(q.expr());
            while (s.find()) {
                Set<String> tags = tags(s.group(1));
                Matcher l = MATCHER_LABEL.matcher(s.group(2));
                while (l.find()) {
                    if (tags != null && !tags.contains(l.group(1)) && !targetLabels.contains(l.group(1))) {
                        problems.add(DASHBOARD + ": " + q.where() + " selects " + s.group(1) + " by label '"
                                + l.group(1) + "', which it does not have (tags: " + tags + ")");
                    }
                }
            }
            Matcher lv = LABEL_VALUES.matcher(q.expr());
            while (lv.find()) {
                Set<String> tags = tags(lv.group(1));
                if (tags != null && !tags.contains(lv.group(2)) && !targetLabels.contains(lv.group(2))) {
                    problems.add(DASHBOARD + ": " + q.where() + " reads label '" + lv.group(2) + "' of " + lv.group(1)
                            + ", which it does not have (tags: " + tags + ")");
                }
            }
            // grouping labels and {{label}} in the legend: a tag of at least one ebbtide metric of the expression
            Set<String> metrics = new LinkedHashSet<>();
            EBBTIDE_METRIC.matcher(q.expr()).results().forEach(r -> metrics.add(r.group()));
            if (metrics.isEmpty() || metrics.stream().anyMatch(x -> tags(x) == null)) {
                continue;
            }
            Set<String> available = new TreeSet<>(targetLabels);
            metrics.forEach(x -> available.addAll(tags(x)));
            Set<String> used = new LinkedHashSet<>();
            Matcher g = LABEL_LIST.matcher(q.expr());
            while (g.find()) {
                for (String label : g.group(1).split(",")) {
                    if (!label.isBlank()) {
                        used.add(label.trim());
                    }
                }
            }
            LEGEND_LABEL.matcher(q.legend()).results().forEach(r -> used.add(r.group(1)));
            for (String label : used) {
                if (!available.contains(label)) {
                    problems.add(DASHBOARD + ": " + q.where() + " groups or labels by '" + label + "', but " + metrics
                            + " only have " + available);
                }
            }
        }
        report(problems);
    }

    @Test
    void prometheusScrapesEveryServiceOnItsQuarkusHttpPort() {
        List<String> problems = new ArrayList<>();
        Map<String, JsonNode> jobs = new LinkedHashMap<>();
        prometheus
                .path("scrape_configs")
                .forEach(j -> jobs.put(j.path("job_name").asText(), j));
        for (String s : SERVICES) {
            String port = RepoConfig.properties(s).get("quarkus.http.port");
            if (port == null) {
                problems.add(propertiesPath(s) + " has no quarkus.http.port");
                continue;
            }
            port = port.trim();
            JsonNode job = jobs.get(s);
            if (job == null) {
                problems.add(PROMETHEUS + ": no scrape config with job_name: " + s + " (target 127.0.0.1:" + port
                        + ", metrics_path " + METRICS_PATH + ")");
                continue;
            }
            String path = job.path("metrics_path").asText("/metrics");
            if (!path.equals(METRICS_PATH)) {
                problems.add(
                        PROMETHEUS + ": job " + s + " has metrics_path " + path + ": Quarkus serves " + METRICS_PATH);
            }
            List<String> targets = new ArrayList<>();
            job.path("static_configs").forEach(sc -> sc.path("targets").forEach(t -> targets.add(t.asText())));
            if (!targets.contains("127.0.0.1:" + port)) {
                problems.add(PROMETHEUS + ": job " + s + " has targets " + targets + " but not 127.0.0.1:" + port
                        + " (quarkus.http.port in " + propertiesPath(s) + ", as ./ebbtide up starts it)");
            }
            for (String t : targets) {
                if (!t.endsWith(":" + port)) {
                    problems.add(PROMETHEUS + ": job " + s + " scrapes " + t + " but " + propertiesPath(s)
                            + " has quarkus.http.port=" + port);
                }
            }
        }
        report(problems);
    }

    // --- dashboard -------------------------------------------------------------------------------------------------

    private static void collectPanels(JsonNode panels) {
        for (JsonNode p : panels) {
            String panel = "panel '" + p.path("title").asText() + "' (id "
                    + p.path("id").asText() + ")";
            for (JsonNode t : p.path("targets")) {
                String expr = t.path("expr").asText("");
                if (!expr.isBlank()) {
                    queries.add(new Query(
                            panel + " target " + t.path("refId").asText(),
                            expr,
                            t.path("legendFormat").asText("")));
                }
            }
            collectPanels(p.path("panels")); // panels inside a collapsed row
        }
    }

    /** The union of the tags of the meters exporting this series; null when some registration's tags are unknown. */
    private static Set<String> tags(String metric) {
        List<Meter> ms = byExportedName.getOrDefault(metric, List.of());
        if (ms.isEmpty() || ms.stream().anyMatch(m -> m.tags() == null)) {
            return null; // unregistered metrics are everyDashboardMetricIsRegistered's business
        }
        return ms.stream().flatMap(m -> m.tags().stream()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String hint(String metric) {
        String base = metric.replaceAll("(_seconds)?_(total|sum|count|max|bucket)$", "");
        List<String> near = meters.stream()
                .filter(m -> {
                    String n = m.name().replace('.', '_').replaceAll("(_seconds|_total)$", "");
                    return n.equals(base) || n.startsWith(base) || base.startsWith(n);
                })
                .map(m -> m.kind() + " '" + m.name() + "' (" + m.where() + ") is exported as "
                        + new TreeSet<>(m.exported()))
                .distinct()
                .toList();
        if (!near.isEmpty()) {
            return ": " + String.join("; ", near);
        }
        Set<String> all = byExportedName.keySet().stream()
                .filter(n -> n.startsWith("ebbtide_"))
                .filter(n -> !n.endsWith("_bucket"))
                .collect(Collectors.toCollection(TreeSet::new));
        return "; the registered ebbtide metrics are " + all;
    }

    // --- sources ---------------------------------------------------------------------------------------------------

    private static void scanRegistrations(String file, String text, Map<String, String> constants) {
        Matcher m = REGISTRATION.matcher(text);
        while (m.find()) {
            String builder = m.group(1);
            String method = m.group(2);
            int open = m.end() - 1;
            int close = closingParen(text, open);
            if (close < 0) {
                continue;
            }
            List<String> args = splitArgs(text.substring(open + 1, close));
            if (args.isEmpty()) {
                continue; // e.g. search.counter()
            }
            String name = resolve(args.get(0), constants);
            if (name == null) {
                continue;
            }
            String kind = kind(builder != null ? builder : method);
            Set<String> tags = new TreeSet<>();
            if (builder != null) {
                if (!builderTags(text, close + 1, tags)) {
                    tags = null;
                }
            } else if (method.equals("counter") || method.equals("timer") || method.equals("summary")) {
                // registry.counter(name, "k1", v1, "k2", v2) or registry.counter(name, Iterable<Tag>)
                if (args.size() % 2 == 0) {
                    tags = null;
                } else {
                    for (int i = 1; i < args.size(); i += 2) {
                        String key = literal(args.get(i));
                        if (key == null) {
                            tags = null;
                            break;
                        }
                        tags.add(key);
                    }
                }
            } else {
                tags = args.size() > 2 ? null : tags; // registry.gauge(name, Iterable<Tag>, obj, fn)
            }
            int line = (int) text.substring(0, m.start())
                            .chars()
                            .filter(ch -> ch == '\n')
                            .count()
                    + 1;
            meters.add(new Meter(name, kind, tags, file + ":" + line));
        }
    }

    private static String kind(String call) {
        return switch (call) {
            case "Counter", "FunctionCounter", "counter" -> "counter";
            case "Timer", "FunctionTimer", "LongTaskTimer", "timer", "longTaskTimer" -> "timer";
            case "DistributionSummary", "summary" -> "summary";
            default -> "gauge";
        };
    }

    /** Reads the tags of a builder chain up to {@code .register(}; false when a tag key is not a literal. */
    private static boolean builderTags(String text, int from, Set<String> tags) {
        int pos = from;
        Matcher call = CHAINED_CALL.matcher(text);
        while (call.find(pos) && call.start() == pos) {
            int open = call.end() - 1;
            int close = closingParen(text, open);
            if (close < 0) {
                return false;
            }
            List<String> args = splitArgs(text.substring(open + 1, close));
            switch (call.group(1)) {
                case "register" -> {
                    return true;
                }
                case "tag" -> {
                    String key = args.isEmpty() ? null : literal(args.get(0));
                    if (key == null) {
                        return false;
                    }
                    tags.add(key);
                }
                case "tags" -> {
                    if (args.size() < 2 || args.size() % 2 != 0) {
                        return false; // tags(Iterable<Tag>) or tags(Tags.of(...))
                    }
                    for (int i = 0; i < args.size(); i += 2) {
                        String key = literal(args.get(i));
                        if (key == null) {
                            return false;
                        }
                        tags.add(key);
                    }
                }
                default -> {
                    // description, baseUnit, publishPercentiles, ...
                }
            }
            pos = close + 1;
        }
        return true;
    }

    private static String resolve(String arg, Map<String, String> constants) {
        String lit = literal(arg);
        if (lit != null) {
            return lit;
        }
        if (QUALIFIED_NAME.matcher(arg).matches()) {
            return constants.get(arg.substring(arg.lastIndexOf('.') + 1));
        }
        return null;
    }

    private static String literal(String arg) {
        Matcher m = STRING_LITERAL.matcher(arg.trim());
        return m.matches() ? m.group(1) : null;
    }

    /** The index of the parenthesis closing the one at {@code open}, skipping string and char literals; -1 if none. */
    private static int closingParen(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                i = endOfLiteral(text, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static int endOfLiteral(String text, int start) {
        char quote = text.charAt(start);
        for (int i = start + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote) {
                return i;
            }
        }
        return text.length();
    }

    /** Splits an argument list at its top-level commas. */
    private static List<String> splitArgs(String s) {
        List<String> args = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                i = endOfLiteral(s, i);
            } else if (c == '(' || c == '{' || c == '[') {
                depth++;
            } else if (c == ')' || c == '}' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                args.add(s.substring(start, i).trim());
                start = i + 1;
            }
        }
        if (!s.isBlank()) {
            args.add(s.substring(start).trim());
        }
        return args;
    }

    private static void report(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }
}
