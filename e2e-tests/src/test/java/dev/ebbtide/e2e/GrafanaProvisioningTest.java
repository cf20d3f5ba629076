package dev.ebbtide.e2e;

import static dev.ebbtide.e2e.ComposeConsistencyTest.report;
import static dev.ebbtide.e2e.ComposeFile.PATH;
import static dev.ebbtide.e2e.RepoConfig.SERVICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml's Prometheus and Grafana: Grafana's provisioning files (ops/grafana/provisioning/) point at the
 * compose Prometheus and at the folder where compose mounts the shipped dashboard, the dashboard needs nothing an
 * import would ask for, it type-checks against Grafana's own dashboard schema (the npm package {@code @grafana/schema}
 * through the TypeScript compiler), and ops/prometheus-compose.yml scrapes every instance of every service under the
 * job names the alerts and the dashboard use. ({@code promtool check config} on that file: {@link PrometheusRulesTest}.)
 */
class GrafanaProvisioningTest {
    static final String PROVISIONING = "ops/grafana/provisioning";
    static final String DASHBOARD = "ops/grafana/ebbtide-dashboard.json";
    static final String PROMETHEUS_COMPOSE = "ops/prometheus-compose.yml";
    static final String GRAFANA_SCHEMA = "@grafana/schema@13.2.3";
    static final String TYPESCRIPT = "typescript@5.9.3";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void grafanaIsProvisionedWithTheComposePrometheusAndTheShippedDashboard() throws IOException {
        ComposeFile compose = ComposeFile.read();
        List<String> problems = new ArrayList<>();
        String prometheus = service(compose, "prom/prometheus");
        String grafana = service(compose, "grafana/grafana");
        List<RepoConfig.Mount> mounts = RepoConfig.volumes(compose.service(grafana));
        if (mounts.stream()
                .noneMatch(m -> m.source().equals("./" + PROVISIONING)
                        && m.target().equals("/etc/grafana/provisioning")
                        && m.readOnly())) {
            problems.add(
                    PATH + ": services." + grafana + " must mount ./" + PROVISIONING + ":/etc/grafana/provisioning:ro");
        }
        Optional<RepoConfig.Mount> dashboard =
                mounts.stream().filter(m -> m.source().equals("./" + DASHBOARD)).findFirst();
        if (dashboard.isEmpty() || !dashboard.get().readOnly()) {
            problems.add(PATH + ": services." + grafana + " must mount ./" + DASHBOARD + " read-only");
        }

        JsonNode datasources =
                yaml(PROVISIONING + "/datasources/prometheus.yml").path("datasources");
        assertEquals(1, datasources.size(), "one datasource: " + datasources);
        JsonNode ds = datasources.get(0);
        if (!ds.path("type").asText().equals("prometheus")
                || !ds.path("url").asText().equals("http://" + prometheus + ":9090")
                || !ds.path("isDefault").asBoolean()) {
            problems.add(
                    PROVISIONING + "/datasources/prometheus.yml: the datasource must be type prometheus, url http://"
                            + prometheus + ":9090 (the compose service), isDefault true; it is " + ds);
        }

        JsonNode providers = yaml(PROVISIONING + "/dashboards/ebbtide.yml").path("providers");
        assertEquals(1, providers.size(), "one dashboard provider: " + providers);
        JsonNode provider = providers.get(0);
        String folder = provider.path("options").path("path").asText();
        if (!provider.path("type").asText().equals("file")
                || dashboard.isEmpty()
                || !Path.of(dashboard.get().target()).getParent().equals(Path.of(folder))) {
            problems.add(PROVISIONING + "/dashboards/ebbtide.yml: options.path is " + folder
                    + " but compose mounts the "
                    + "dashboard at " + dashboard.map(RepoConfig.Mount::target).orElse("(nowhere)")
                    + ": make the path that file's folder (type: file)");
        }

        // Provisioning loads the file as it is: nothing may wait for an import dialog's answer
        String text = Files.readString(RepoConfig.root().resolve(DASHBOARD));
        JsonNode d = JSON.readTree(text);
        if (d.has("__inputs") || text.contains("${DS_")) {
            problems.add(DASHBOARD + " has __inputs or ${DS_...}: an export \"for sharing externally\" cannot be "
                    + "provisioned; use the datasource variable (type prometheus)");
        }
        JsonNode variable = null;
        for (JsonNode v : d.path("templating").path("list")) {
            if (v.path("type").asText().equals("datasource")) {
                variable = v;
            }
        }
        if (variable == null
                || !variable.path("query").asText().equals(ds.path("type").asText())) {
            problems.add(DASHBOARD + ": needs a templating variable of type datasource with query \""
                    + ds.path("type").asText() + "\" (it then selects the provisioned default datasource)");
        }
        String var = variable == null ? "datasource" : variable.path("name").asText();
        Set<String> uids = new TreeSet<>();
        collectDatasourceUids(d.path("panels"), uids);
        collectDatasourceUids(d.path("templating"), uids);
        uids.remove("${" + var + "}");
        if (!uids.isEmpty()) {
            problems.add(DASHBOARD + ": panels or queries name datasources " + uids + ": use ${" + var + "}");
        }
        report(problems);
    }

    @Test
    void theDashboardTypeChecksAgainstGrafanasSchema(@TempDir Path dir) throws Exception {
        NpmTools.Run ok = typeCheck(
                dir, JSON.readTree(RepoConfig.root().resolve(DASHBOARD).toFile()));
        assertEquals(0, ok.exit(), () -> DASHBOARD + " does not match @grafana/schema's Dashboard:\n" + ok.output());

        // and the check sees a mistake: a panel's gridPos with a string width
        ObjectNode broken =
                (ObjectNode) JSON.readTree(RepoConfig.root().resolve(DASHBOARD).toFile());
        ((ObjectNode) broken.path("panels").get(0).path("gridPos")).put("w", "twelve");
        NpmTools.Run bad = typeCheck(dir, broken);
        assertNotEquals(0, bad.exit(), bad.output());
        assertTrue(bad.output().contains("TS2322"), bad.output());
    }

    @Test
    void composePrometheusScrapesEveryInstanceUnderTheJobNamesTheAlertsUse() throws IOException {
        ComposeFile compose = ComposeFile.read();
        List<String> problems = new ArrayList<>();
        String prometheus = service(compose, "prom/prometheus");
        List<RepoConfig.Mount> mounts = RepoConfig.volumes(compose.service(prometheus));
        for (var m : Map.of(
                        "./" + PROMETHEUS_COMPOSE,
                        "/etc/prometheus/prometheus.yml",
                        "./ops/alerts.yml",
                        "/etc/prometheus/alerts.yml")
                .entrySet()) {
            if (mounts.stream()
                    .noneMatch(v -> v.source().equals(m.getKey()) && v.target().equals(m.getValue()))) {
                problems.add(
                        PATH + ": services." + prometheus + " must mount " + m.getKey() + ":" + m.getValue() + ":ro");
            }
        }
        Map<String, Set<String>> expected = new TreeMap<>();
        for (String s : SERVICES) {
            Set<String> targets = new TreeSet<>();
            compose.instances(s).forEach(i -> targets.add(i + ":" + ComposeConsistencyTest.port(s)));
            expected.put(s, targets);
        }
        Map<String, Set<String>> actual = new TreeMap<>();
        for (JsonNode job : yaml(PROMETHEUS_COMPOSE).path("scrape_configs")) {
            Set<String> targets = new TreeSet<>();
            job.path("static_configs").forEach(sc -> sc.path("targets").forEach(t -> targets.add(t.asText())));
            actual.put(job.path("job_name").asText(), targets);
            if (!job.path("metrics_path").asText().equals("/q/metrics")) {
                problems.add(PROMETHEUS_COMPOSE + ": job "
                        + job.path("job_name").asText() + " needs metrics_path: /q/metrics");
            }
        }
        if (!expected.equals(actual)) {
            problems.add(PROMETHEUS_COMPOSE + " scrapes " + actual + " but " + PATH + " runs " + expected
                    + " (job = service name, as in ops/prometheus.yml and the alerts; one target per instance)");
        }
        report(problems);
    }

    private static NpmTools.Run typeCheck(Path dir, JsonNode dashboard) throws Exception {
        Path tools = NpmTools.install("grafana-schema-13.2.3", GRAFANA_SCHEMA, TYPESCRIPT);
        ObjectNode model = dashboard.deepCopy();
        model.remove("__requires"); // import metadata of an exported file, not part of the dashboard model
        // Grafana's enums are TypeScript enums; JSON holds their string values: Json<T> accepts those
        String ts = "import { Dashboard } from '@grafana/schema';\n"
                + "type Json<T> = T extends string ? `${T}` : T extends Array<infer U> ? Array<Json<U>>\n"
                + "  : T extends object ? { [K in keyof T]: Json<T[K]> } : T;\n"
                + "const dashboard: Json<Dashboard> = "
                + JSON.writerWithDefaultPrettyPrinter().writeValueAsString(model)
                + ";\nexport default dashboard;\n";
        Path file = tools.resolve("dashboard-check-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".ts");
        Files.writeString(file, ts);
        try {
            return NpmTools.run(
                    List.of(
                            tools.resolve("node_modules/.bin/tsc").toString(),
                            "--noEmit",
                            "--strict",
                            "--skipLibCheck",
                            "--module",
                            "esnext",
                            "--moduleResolution",
                            "bundler",
                            "--target",
                            "es2020",
                            file.getFileName().toString()),
                    tools,
                    3);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void collectDatasourceUids(JsonNode node, Set<String> uids) {
        if (node.isObject()) {
            JsonNode ds = node.get("datasource");
            if (ds != null && ds.isObject() && ds.has("uid")) {
                uids.add(ds.path("uid").asText());
            } else if (ds != null && ds.isTextual()) {
                uids.add(ds.asText());
            }
            node.forEach(child -> collectDatasourceUids(child, uids));
        } else if (node.isArray()) {
            node.forEach(child -> collectDatasourceUids(child, uids));
        }
    }

    private static String service(ComposeFile compose, String imagePrefix) {
        return compose.serviceNames().stream()
                .filter(n -> compose.service(n).path("image").asText("").startsWith(imagePrefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError(PATH + ": no service runs " + imagePrefix));
    }

    private static JsonNode yaml(String path) throws IOException {
        try (Reader r = Files.newBufferedReader(RepoConfig.root().resolve(path))) {
            Object tree = new Yaml().load(r);
            return JSON.valueToTree(tree);
        }
    }
}
