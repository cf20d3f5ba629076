package dev.ebbtide.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.devsupport.DebianPackages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shipped Prometheus files as Prometheus itself reads them: {@code promtool check config} on ops/prometheus.yml
 * and on ops/prometheus-compose.yml (docker-compose.yml's; both load ops/alerts.yml), {@code promtool check rules}, and {@code promtool test rules} on ops/alerts-test.yml
 * (each alert fires on the series that should fire it, with the expected labels and text, and not on the others).
 * promtool is installed with apt-get (Debian's {@code prometheus} package) when missing and running as root, as on CI.
 */
class PrometheusRulesTest {

    @Test
    void prometheusAcceptsTheShippedConfigAndItsRules() throws Exception {
        String out = promtool("check", "config", "ops/prometheus.yml");
        assertTrue(out.contains("1 rule files found"), out);
    }

    @Test
    void prometheusAcceptsTheConfigShippedForCompose() throws Exception {
        // docker-compose.yml mounts it as /etc/prometheus/prometheus.yml with ops/alerts.yml beside it
        String out = promtool("check", "config", "ops/prometheus-compose.yml");
        assertTrue(out.contains("1 rule files found"), out);
    }

    @Test
    void alertRulesAreValid() throws Exception {
        String out = promtool("check", "rules", "ops/alerts.yml");
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void everyAlertFiresOnItsUnitTestSeriesAndOnlyThere() throws Exception {
        String out = promtool("test", "rules", "ops/alerts-test.yml");
        assertTrue(out.contains("SUCCESS"), out);
    }

    /** Runs promtool in the repository's root; asserts exit 0 and returns its output. */
    private static String promtool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(promtoolPath()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(RepoConfig.root().toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish in 60 s");
        assertEquals(0, p.exitValue(), String.join(" ", args) + " failed:\n" + out);
        return out;
    }

    private static String promtoolPath() throws IOException, InterruptedException {
        return DebianPackages.tool("promtool", "prometheus")
                .orElseGet(() -> Assumptions.abort(DebianPackages.whyMissing("promtool", "prometheus")));
    }
}
