package dev.ebbtide.submitter.service;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Every scheduler instance answers job look-ups, logs and cancels from PostgreSQL (a cancel for a cluster another
 * instance owns is stored and applied by the owner), so no instance is special: a call goes to the instances of
 * {@code ebbtide.scheduler.urls} in turn, and moves on to the next when one cannot be reached or answers 5xx. An
 * answer below 500 (200, 403, 404, 409) is the answer. Only when every instance failed does the caller see the last
 * failure (502 when none answered at all).
 */
@ApplicationScoped
public class Schedulers {
    private static final Logger LOG = Logger.getLogger(Schedulers.class);

    private final List<URI> urls;
    private final List<SchedulerClient> clients;
    private final AtomicInteger next = new AtomicInteger();

    @Inject
    public Schedulers(dev.ebbtide.submitter.config.SubmitterConfig config) {
        this(config.scheduler().urls());
    }

    /** One REST client per instance at {@code urls}. */
    public Schedulers(List<URI> urls) {
        this(
                urls,
                urls.stream()
                        .map(u ->
                                QuarkusRestClientBuilder.newBuilder().baseUri(u).build(SchedulerClient.class))
                        .toList());
    }

    /** For tests: the given clients stand for the instances at {@code urls}. */
    public Schedulers(List<URI> urls, List<SchedulerClient> clients) {
        if (urls.isEmpty() || urls.size() != clients.size()) {
            throw new IllegalArgumentException("ebbtide.scheduler.urls must name at least one scheduler instance");
        }
        this.urls = List.copyOf(urls);
        this.clients = List.copyOf(clients);
    }

    /** The first answer below 500, trying each instance once, starting with the next in turn. */
    public Uni<Response> call(Function<SchedulerClient, Uni<Response>> call) {
        int start = Math.floorMod(next.getAndIncrement(), clients.size());
        return attempt(call, start, 0, null);
    }

    private Uni<Response> attempt(Function<SchedulerClient, Uni<Response>> call, int start, int tried, Response last) {
        if (tried == clients.size()) {
            return Uni.createFrom()
                    .item(
                            last != null
                                    ? last
                                    : Response.status(Response.Status.BAD_GATEWAY)
                                            .build());
        }
        int i = (start + tried) % clients.size();
        Uni<Response> answer;
        try {
            answer = call.apply(clients.get(i));
        } catch (RuntimeException e) {
            answer = Uni.createFrom().failure(e);
        }
        return answer.onFailure()
                .recoverWithItem(e -> {
                    if (e instanceof WebApplicationException w) {
                        return w.getResponse();
                    }
                    LOG.debugf("scheduler %s could not be reached: %s", urls.get(i), e.toString());
                    return null; // not reached: try the next
                })
                .chain(r -> {
                    if (r != null && r.getStatus() < 500) {
                        return Uni.createFrom().item(r);
                    }
                    if (r != null) {
                        LOG.debugf("scheduler %s answered %d: trying the next instance", urls.get(i), r.getStatus());
                    }
                    return attempt(call, start, tried + 1, r != null ? r : last);
                });
    }
}
