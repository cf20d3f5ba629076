package dev.ebbtide.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Readiness check {@code ebbtide-consumers}: DOWN while a channel waits for a dependency, saying which and since when. */
@Readiness
@ApplicationScoped
public class ConsumersReadiness implements HealthCheck {
    @Inject
    ConsumerHealth health;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder =
                HealthCheckResponse.named("ebbtide-consumers").status(health.allConsuming());
        health.report().forEach(builder::withData);
        return builder.build();
    }
}
