package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.ErrorClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/** The provisioner's cloud-side meters. */
public final class ProvisionerMetrics {

    /** Micrometer name; Prometheus shows it as {@code ebbtide_provisioner_cloud_errors_total{cluster,error_class}}. */
    public static final String CLOUD_ERRORS = "ebbtide.provisioner.cloud.errors";

    /** Micrometer name; Prometheus shows it as {@code ebbtide_provisioner_owned_clusters} (a gauge, no tags). */
    public static final String OWNED_CLUSTERS = "ebbtide.provisioner.owned.clusters";

    private final MeterRegistry registry;

    public ProvisionerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void cloudError(String cluster, ErrorClass errorClass) {
        Counter.builder(CLOUD_ERRORS)
                .description("Failed cloud calls by cluster and error_class (throttled, transient, quota_exceeded, "
                        + "capacity_unavailable, not_found, conflict, preempted, unknown)")
                .tag("cluster", cluster)
                .tag("error_class", tag(errorClass))
                .register(registry)
                .increment();
    }

    public double cloudErrors(String cluster, ErrorClass errorClass) {
        Counter c = registry.find(CLOUD_ERRORS)
                .tag("cluster", cluster)
                .tag("error_class", tag(errorClass))
                .counter();
        return c == null ? 0 : c.count();
    }

    static String tag(ErrorClass errorClass) {
        return errorClass.name().toLowerCase(Locale.ROOT);
    }
}
