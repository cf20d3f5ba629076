package dev.ebbtide.provisioner.actuation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.ErrorClass;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class ProvisionerMetricsTest {

    @Test
    void cloudErrorsAreCountedPerClusterAndErrorClassUnderThePrometheusName() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProvisionerMetrics metrics = new ProvisionerMetrics(registry);
        metrics.cloudError("gpu", ErrorClass.QUOTA_EXCEEDED);
        metrics.cloudError("gpu", ErrorClass.QUOTA_EXCEEDED);
        metrics.cloudError("cpu", ErrorClass.THROTTLED);

        assertEquals(2.0, metrics.cloudErrors("gpu", ErrorClass.QUOTA_EXCEEDED));
        assertEquals(0.0, metrics.cloudErrors("gpu", ErrorClass.THROTTLED));
        String scrape = registry.scrape();
        assertTrue(
                scrape.contains(
                        "ebbtide_provisioner_cloud_errors_total{cluster=\"gpu\",error_class=\"quota_exceeded\",} 2.0"),
                scrape);
        assertTrue(
                scrape.contains(
                        "ebbtide_provisioner_cloud_errors_total{cluster=\"cpu\",error_class=\"throttled\",} 1.0"),
                scrape);
    }
}
