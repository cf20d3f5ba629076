package dev.ebbtide.autoscaler.whatif;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every scheduler instance answers {@code GET /clusters/{name}/trace} from PostgreSQL, so what-if asks the instances of
 * {@code ebbtide.scheduler.urls} in turn and moves on when one cannot be reached or answers 5xx; a 4xx is the answer.
 * When every instance failed, the last failure is thrown.
 */
@ApplicationScoped
public class SchedulerInstances {
    private final List<SchedulerTraces> clients;
    private final AtomicInteger next = new AtomicInteger();

    @Inject
    public SchedulerInstances(dev.ebbtide.autoscaler.config.AutoscalerConfig config) {
        this(config.scheduler().urls().stream()
                .map(u -> QuarkusRestClientBuilder.newBuilder().baseUri(u).build(SchedulerTraces.class))
                .toArray(SchedulerTraces[]::new));
    }

    /** For tests: one client per scheduler instance. */
    public SchedulerInstances(SchedulerTraces... clients) {
        if (clients.length == 0) {
            throw new IllegalArgumentException("ebbtide.scheduler.urls must name at least one scheduler instance");
        }
        this.clients = List.of(clients);
    }

    /** The cluster's recorded jobs since {@code since}, from the first instance that answers below 500. */
    public String trace(String cluster, String since, String authorization) {
        int start = Math.floorMod(next.getAndIncrement(), clients.size());
        RuntimeException last = null;
        for (int tried = 0; tried < clients.size(); tried++) {
            try {
                return clients.get((start + tried) % clients.size()).trace(cluster, since, authorization);
            } catch (WebApplicationException e) {
                if (e.getResponse().getStatus() < 500) {
                    throw e;
                }
                last = e;
            } catch (ProcessingException e) {
                last = e;
            }
        }
        throw last;
    }
}
